using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>A recorded meal with the price the till sent (null: the menu price), to tell a resent receipt from a reused one.</summary>
public sealed record StoredMeal(MealTransaction Transaction, decimal? PriceSent);

/// <summary>
/// The meal transactions (table <see cref="TableNames.ElderlyMealTransactions"/>), one copy per query that needs them, so
/// that each is a partition query and nothing scans the table:
/// <list type="bullet">
/// <item><c>r|{point}</c> / receipt id — the receipt row, written first with an insert: the idempotency guard;</item>
/// <item><c>d|{point}|{yyyyMMdd}</c> / receipt id — the point's day (daily settlement);</item>
/// <item><c>m|{elder's district}|{yyyyMM}</c> / <c>{point}|{receipt}</c> — the district's month (reconciliation);</item>
/// <item><c>a|{elder id}</c> / <c>yyyyMMdd</c> — the days the elder ate at any point (attendance).</item>
/// </list>
/// The copies are upserts of the same content, repeated whenever the receipt is sent again, so a write cut short is completed
/// by the terminal's retry. Rows carry ids and amounts only: no names, no card numbers.
/// </summary>
public sealed class MealLedger(Tables tables)
{
    public static string ReceiptPartition(string pointId) => $"r|{pointId}";
    public static string DayPartition(string pointId, DateOnly date) => $"d|{pointId}|{date:yyyyMMdd}";
    public static string MonthPartition(string districtCode, DateOnly month) => $"m|{districtCode}|{month:yyyyMM}";
    public static string AttendancePartition(string elderId) => $"a|{elderId}";

    public async Task<StoredMeal?> FindAsync(string pointId, string receiptId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealTransactions, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(ReceiptPartition(pointId), receiptId, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    /// <summary>Inserts the receipt row; false when the receipt was recorded meanwhile (the caller reads it and compares).</summary>
    public async Task<bool> AddAsync(StoredMeal meal, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealTransactions, ct);
        var t = meal.Transaction;
        try
        {
            await table.AddEntityAsync(ToEntity(meal, ReceiptPartition(t.MealPointId), t.ReceiptId), ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
        await CopyAsync(meal, ct);
        return true;
    }

    /// <summary>Writes (again) the day, month and attendance copies of a recorded meal. Idempotent.</summary>
    public async Task CopyAsync(StoredMeal meal, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealTransactions, ct);
        var t = meal.Transaction;
        await table.UpsertEntityAsync(ToEntity(meal, DayPartition(t.MealPointId, t.Date), t.ReceiptId), TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(ToEntity(meal, MonthPartition(t.ElderDistrictCode, t.Date), $"{t.MealPointId}|{t.ReceiptId}"), TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(new TableEntity(AttendancePartition(t.ElderId), t.Date.ToString("yyyyMMdd", CultureInfo.InvariantCulture)), TableUpdateMode.Replace, ct);
    }

    public Task<IReadOnlyList<MealTransaction>> DayAsync(string pointId, DateOnly date, CancellationToken ct) => PartitionAsync(DayPartition(pointId, date), ct);

    public Task<IReadOnlyList<MealTransaction>> MonthAsync(string districtCode, DateOnly month, CancellationToken ct) => PartitionAsync(MonthPartition(districtCode, month), ct);

    /// <summary>The days (on or after <paramref name="from"/>) the elder ate at any meal point.</summary>
    public async Task<IReadOnlyList<DateOnly>> MealDaysAsync(string elderId, DateOnly from, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealTransactions, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AttendancePartition(elderId)} and RowKey ge {from.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}");
        var days = new List<DateOnly>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: ct))
            days.Add(DateOnly.ParseExact(e.RowKey, "yyyyMMdd", CultureInfo.InvariantCulture));
        return days;
    }

    async Task<IReadOnlyList<MealTransaction>> PartitionAsync(string partition, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealTransactions, ct);
        var list = new List<MealTransaction>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
            list.Add(FromEntity(e).Transaction);
        return list;
    }

    static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
    static decimal Money(TableEntity e, string name) => decimal.Parse(e.GetString(name), CultureInfo.InvariantCulture);

    static TableEntity ToEntity(StoredMeal meal, string partition, string row)
    {
        var (t, q) = (meal.Transaction, meal.Transaction.Quote);
        return new TableEntity(partition, row)
        {
            ["ReceiptId"] = t.ReceiptId,
            ["ElderId"] = t.ElderId,
            ["ElderDistrictCode"] = t.ElderDistrictCode,
            ["MealPointId"] = t.MealPointId,
            ["MealPointDistrictCode"] = t.MealPointDistrictCode,
            ["ServedAt"] = t.ServedAt,
            ["Date"] = t.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Tier"] = (int)q.Tier,
            ["Price"] = Money(q.Price),
            ["Subsidy"] = Money(q.Subsidy),
            ["CityPays"] = Money(q.CityPays),
            ["DistrictPays"] = Money(q.DistrictPays),
            ["ElderPays"] = Money(q.ElderPays),
            ["OutOfDistrict"] = q.OutOfDistrict,
            ["PriceSent"] = meal.PriceSent is { } p ? Money(p) : null,
        };
    }

    static StoredMeal FromEntity(TableEntity e) => new(new MealTransaction(
            e.GetString("ReceiptId"), e.GetString("ElderId"), e.GetString("ElderDistrictCode"), e.GetString("MealPointId"), e.GetString("MealPointDistrictCode"),
            e.GetDateTimeOffset("ServedAt")!.Value, DateOnly.ParseExact(e.GetString("Date"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            new MealQuote((SubsidyTier)(e.GetInt32("Tier") ?? 3), Money(e, "Price"), Money(e, "Subsidy"), Money(e, "CityPays"), Money(e, "DistrictPays"),
                Money(e, "ElderPays"), e.GetBoolean("OutOfDistrict") == true)),
        e.GetString("PriceSent") is { } sent ? decimal.Parse(sent, CultureInfo.InvariantCulture) : null);
}
