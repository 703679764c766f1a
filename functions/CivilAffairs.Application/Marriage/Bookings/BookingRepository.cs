using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Bookings;

/// <summary>A booking read with its parties (decrypted) and version.</summary>
public sealed record StoredBooking(BookingRecord Record, IReadOnlyList<PartyData> Parties, ETag ETag);

/// <summary>
/// Storage of bookings. <c>MarriageBookings</c>: PK booking id, RK <c>booking</c> — the record in clear (ids, slot, state, the
/// parties' blind indexes) and the parties' data SM4-encrypted, bound to the booking; PK <c>live</c>, RK a party's blind index —
/// the one live booking per party (claimed for all parties in one transaction, so a couple never holds two); PK
/// <c>noshow|{index}</c>, RK booking id — missed appointments. <c>MarriageSlots</c>: PK <c>{office}|{yyyyMMdd}</c> — per slot a
/// counter row <c>n|{HHmm}</c> (its ETag serialises bookings of one slot, so capacity is never exceeded) and the worklist rows
/// <c>b|{HHmm}|{booking}</c>, written in the same transaction as the counter.
/// </summary>
public sealed class BookingRepository(Tables tables, FieldCipher cipher, TimeProvider clock)
{
    const string Row = "booking";
    const string Live = "live";

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && id.All(char.IsAsciiLetterOrDigit);

    public async Task<StoredBooking?> GetAsync(string bookingId, CancellationToken ct)
    {
        if (!IsWellFormedId(bookingId)) return null;
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(bookingId, Row, cancellationToken: ct);
        if (!row.HasValue) return null;
        var e = row.Value!;
        var record = JsonSerializer.Deserialize<BookingRecord>(e.GetString("Booking"), JsonDefaults.Options)!;
        var parties = JsonSerializer.Deserialize<List<PartyData>>(cipher.Decrypt(e.GetString("Parties"), Ad(bookingId)), JsonDefaults.Options) ?? [];
        return new StoredBooking(record, parties, e.ETag);
    }

    public async Task InsertAsync(BookingRecord record, IReadOnlyList<PartyData> parties, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        await table.AddEntityAsync(ToEntity(record, parties), ct);
    }

    /// <summary>Replaces the booking if unchanged since read (412 otherwise, for <c>Optimistic.RetryAsync</c>).</summary>
    public async Task<StoredBooking> SaveAsync(StoredBooking booking, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        var response = await table.UpdateEntityAsync(ToEntity(booking.Record, booking.Parties), booking.ETag, TableUpdateMode.Replace, ct);
        return booking with { ETag = response.Headers.ETag ?? default };
    }

    TableEntity ToEntity(BookingRecord r, IReadOnlyList<PartyData> parties) => new(r.Id, Row)
    {
        ["Booking"] = JsonSerializer.Serialize(r, JsonDefaults.Options),
        ["Parties"] = cipher.Encrypt(JsonSerializer.Serialize(parties, JsonDefaults.Options), Ad(r.Id)),
        ["OfficeId"] = r.OfficeId,
        ["Status"] = r.Status.ToString(),
    };

    static string Ad(string bookingId) => $"marriage.booking:{bookingId}:parties";

    // ---------------------------------------------------------------- one live booking per party

    /// <summary>
    /// Claims the live-booking guard of every party in one transaction. A guard left by a booking that no longer is live (or whose
    /// booking was never written, a request cut short) is taken over. False when a party holds another live booking.
    /// </summary>
    public async Task<bool> ClaimLiveAsync(IReadOnlyList<string> indexes, string bookingId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        return await Optimistic.RetryAsync($"live bookings {bookingId}", async () =>
        {
            var actions = new List<TableTransactionAction>();
            foreach (var index in indexes.Distinct())
            {
                var held = await table.GetEntityIfExistsAsync<TableEntity>(Live, index, cancellationToken: ct);
                var entity = new TableEntity(Live, index) { ["BookingId"] = bookingId, ["At"] = clock.GetUtcNow() };
                if (!held.HasValue) { actions.Add(new(TableTransactionActionType.Add, entity)); continue; }
                var holder = held.Value!.GetString("BookingId");
                if (holder == bookingId) continue;
                if (await IsLiveAsync(holder, held.Value.GetDateTimeOffset("At"), ct)) return false;
                actions.Add(new(TableTransactionActionType.UpdateReplace, entity, held.Value.ETag));
            }
            if (actions.Count > 0) await table.SubmitTransactionAsync(actions, ct);
            return true;
        }, ct);
    }

    async Task<bool> IsLiveAsync(string bookingId, DateTimeOffset? claimedAt, CancellationToken ct)
    {
        var booking = await GetAsync(bookingId, ct);
        if (booking is null) return claimedAt is { } at && clock.GetUtcNow() - at < TimeSpan.FromMinutes(2);
        return booking.Record.Status == BookingStatus.Booked;
    }

    /// <summary>Releases the parties' guards held by this booking.</summary>
    public async Task ReleaseLiveAsync(IReadOnlyList<string> indexes, string bookingId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        foreach (var index in indexes.Distinct()) await GuardRows.ReleaseAsync(table, Live, index, "BookingId", bookingId, ct);
    }

    // ---------------------------------------------------------------- no-shows

    public async Task<IReadOnlyList<DateOnly>> NoShowsAsync(string index, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        var dates = new List<DateOnly>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"noshow|" + index}"), select: ["Date"], cancellationToken: ct))
            dates.Add(DateOnly.ParseExact(e.GetString("Date"), "yyyy-MM-dd", CultureInfo.InvariantCulture));
        return dates;
    }

    public async Task AddNoShowAsync(IReadOnlyList<string> indexes, string bookingId, DateOnly date, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageBookings, ct);
        foreach (var index in indexes.Distinct())
            await table.UpsertEntityAsync(new TableEntity("noshow|" + index, bookingId) { ["Date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) }, TableUpdateMode.Replace, ct);
    }

    // ---------------------------------------------------------------- slots and the day's worklist

    static string Day(string officeId, DateOnly date) => $"{officeId}|{Appointments.Key(date)}";
    static string Counter(TimeOnly time) => "n|" + Appointments.Key(time);
    static string Line(TimeOnly time, string bookingId) => $"b|{Appointments.Key(time)}|{bookingId}";

    /// <summary>
    /// Holds one place of the slot for the booking: the counter and the worklist line in one transaction, the counter's ETag
    /// deciding between concurrent bookings. Returns the rejection when the slot is full. Idempotent per booking.
    /// </summary>
    public async Task<Rejection?> ReserveAsync(string officeId, DateOnly date, TimeOnly time, string bookingId, ServiceKind kind, int capacity, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageSlots, ct);
        var pk = Day(officeId, date);
        return await Optimistic.RetryAsync($"slot {pk} {time}", async () =>
        {
            if ((await table.GetEntityIfExistsAsync<TableEntity>(pk, Line(time, bookingId), cancellationToken: ct)).HasValue) return null;
            var counter = await table.GetEntityIfExistsAsync<TableEntity>(pk, Counter(time), cancellationToken: ct);
            var booked = counter.HasValue ? counter.Value!.GetInt32("Count") ?? 0 : 0;
            if (Appointments.CheckCapacity(booked, capacity) is { } full) return full;
            var next = new TableEntity(pk, Counter(time)) { ["Count"] = booked + 1 };
            await table.SubmitTransactionAsync(
            [
                counter.HasValue ? new(TableTransactionActionType.UpdateReplace, next, counter.Value!.ETag) : new(TableTransactionActionType.Add, next),
                new(TableTransactionActionType.Add, new TableEntity(pk, Line(time, bookingId)) { ["BookingId"] = bookingId, ["Kind"] = kind.ToString(), ["Status"] = BookingStatus.Booked.ToString() }),
            ], ct);
            return (Rejection?)null;
        }, ct);
    }

    /// <summary>Gives the booking's place back (cancelled, moved): the counter down and the line marked, in one transaction. Idempotent.</summary>
    public async Task ReleaseAsync(string officeId, DateOnly date, TimeOnly time, string bookingId, BookingStatus status, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageSlots, ct);
        var pk = Day(officeId, date);
        await Optimistic.RetryAsync($"slot {pk} {time}", async () =>
        {
            var line = await table.GetEntityIfExistsAsync<TableEntity>(pk, Line(time, bookingId), cancellationToken: ct);
            if (!line.HasValue || line.Value!.GetString("Status") != BookingStatus.Booked.ToString()) return;
            var counter = await table.GetEntityAsync<TableEntity>(pk, Counter(time), cancellationToken: ct);
            var marked = line.Value!;
            marked["Status"] = status.ToString();
            await table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.UpdateReplace, new TableEntity(pk, Counter(time)) { ["Count"] = Math.Max(0, (counter.Value.GetInt32("Count") ?? 1) - 1) }, counter.Value.ETag),
                new(TableTransactionActionType.UpdateReplace, marked, marked.ETag),
            ], ct);
        }, ct);
    }

    /// <summary>Marks the worklist line (served, no-show) without giving the place back.</summary>
    public async Task MarkAsync(string officeId, DateOnly date, TimeOnly time, string bookingId, BookingStatus status, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageSlots, ct);
        await table.UpsertEntityAsync(new TableEntity(Day(officeId, date), Line(time, bookingId)) { ["Status"] = status.ToString() }, TableUpdateMode.Merge, ct);
    }

    /// <summary>Places taken per slot start on the office's day (one partition query).</summary>
    public async Task<IReadOnlyDictionary<TimeOnly, int>> TakenAsync(string officeId, DateOnly date, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageSlots, ct);
        var pk = Day(officeId, date);
        var taken = new Dictionary<TimeOnly, int>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"n|"} and RowKey lt {"n}"}"), cancellationToken: ct))
            taken[TimeOnly.ParseExact(e.RowKey[2..], "HHmm", CultureInfo.InvariantCulture)] = e.GetInt32("Count") ?? 0;
        return taken;
    }

    /// <summary>The office's day: every booking line in slot order (one partition query).</summary>
    public async Task<IReadOnlyList<(TimeOnly Time, string BookingId, BookingStatus Status)>> DayAsync(string officeId, DateOnly date, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageSlots, ct);
        var pk = Day(officeId, date);
        var lines = new List<(TimeOnly, string, BookingStatus)>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {"b|"} and RowKey lt {"b}"}"), cancellationToken: ct))
        {
            var parts = e.RowKey.Split('|');
            lines.Add((TimeOnly.ParseExact(parts[1], "HHmm", CultureInfo.InvariantCulture), parts[2], Enum.Parse<BookingStatus>(e.GetString("Status"))));
        }
        return lines;
    }
}
