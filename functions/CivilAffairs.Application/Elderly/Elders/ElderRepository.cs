using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Application.Elderly.Elders;

/// <summary>
/// Storage of elders. Table <see cref="TableNames.Elders"/>: PartitionKey = elder id, RowKey <c>elder</c>; name, birth date,
/// address, home position, contacts and meal card number SM4-encrypted (<see cref="FieldCipher"/>, bound to the elder id);
/// category, community, enrolments and death date in clear. Table <see cref="TableNames.ElderIndex"/> holds the lookups:
/// <c>jur|{community}</c> / elder id (listing a jurisdiction subtree as a partition range, no scan of the elders),
/// <c>person</c> / person id (one elder per person: the uniqueness guard, written first), <c>card</c> / blind index of the
/// meal card number (meal-point terminals send the card, never the ID number).
/// </summary>
public sealed class ElderRepository(Tables tables, FieldCipher cipher, BlindIndex blindIndex, DeathRegister deaths)
{
    public const string Row = "elder";
    const string CardPurpose = "elder.mealCard";
    static readonly JsonSerializerOptions Json = JsonDefaults.Options;

    public string CardIndexOf(string cardNumber) => blindIndex.Compute(CardPurpose, cardNumber.Trim());

    /// <summary>A point read of the elder, decrypted, with a recorded death applied; null when unknown.</summary>
    public async Task<StoredElder?> GetAsync(string elderId, CancellationToken ct)
    {
        if (!Platform.Ids.TryParse(elderId, out _)) return null;
        var table = await tables.GetAsync(TableNames.Elders, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(elderId, Row, cancellationToken: ct);
        return found.HasValue ? await FromEntityAsync(found.Value!, ct) : null;
    }

    /// <summary>The elder holding this meal card, if any.</summary>
    public async Task<StoredElder?> FindByMealCardAsync(string cardNumber, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(cardNumber) || cardNumber.Trim().Length > 64) return null;
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var row = await index.GetEntityIfExistsAsync<TableEntity>("card", CardIndexOf(cardNumber), cancellationToken: ct);
        return row.HasValue ? await GetAsync(row.Value!.GetString("ElderId"), ct) : null;
    }

    /// <summary>The elder enrolled for a person, if any.</summary>
    public async Task<string?> ElderIdOfPersonAsync(string personId, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var row = await index.GetEntityIfExistsAsync<TableEntity>("person", personId, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("ElderId") : null;
    }

    /// <summary>Elders whose community lies in <paramref name="jurisdiction"/>'s subtree, by community then enrolment order.</summary>
    public async IAsyncEnumerable<StoredElder> ListAsync(string jurisdiction, [EnumeratorCancellation] CancellationToken ct)
    {
        var prefix = "jur|" + Domain.Platform.Jurisdiction.Prefix(jurisdiction);
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}");
        await foreach (var row in index.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            if (await GetAsync(row.RowKey, ct) is { } elder) yield return elder;
    }

    /// <summary>
    /// Stores a new elder: the person guard first (a second enrolment of the same person is refused; a guard left by an
    /// enrolment that stopped half-way is completed with its elder id), then the elder row, then the other index rows.
    /// Returns false when the person already has an elder.
    /// </summary>
    internal async Task<(bool Added, string ElderId)> AddAsync(StoredElder elder, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var elderId = elder.Elder.Id;
        try
        {
            await index.AddEntityAsync(new TableEntity("person", elder.PersonId) { ["ElderId"] = elderId }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            elderId = (await index.GetEntityAsync<TableEntity>("person", elder.PersonId, cancellationToken: ct)).Value.GetString("ElderId");
            if (await GetAsync(elderId, ct) is not null) return (false, elderId);
            elder = elder with { Elder = elder.Elder with { Id = elderId } };
        }
        var table = await tables.GetAsync(TableNames.Elders, ct);
        await table.UpsertEntityAsync(ToEntity(elder), TableUpdateMode.Replace, ct);
        await index.UpsertEntityAsync(new TableEntity("jur|" + elder.Jurisdiction, elderId), TableUpdateMode.Replace, ct);
        await index.UpsertEntityAsync(new TableEntity("card", CardIndexOf(elder.MealCardNumber)) { ["ElderId"] = elderId }, TableUpdateMode.Replace, ct);
        await IndexContactsAsync(elderId, [], elder.Contacts, ct);
        return (true, elderId);
    }

    /// <summary>The elders a person may follow: their own record and those naming them as a contact with an account.</summary>
    public async Task<IReadOnlyList<StoredElder>> FollowedByAsync(string personId, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var ids = new List<string>();
        if (await ElderIdOfPersonAsync(personId, ct) is { } own) ids.Add(own);
        await foreach (var row in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"contact|" + personId}"), select: ["RowKey"], cancellationToken: ct))
            ids.Add(row.RowKey);
        var list = new List<StoredElder>();
        foreach (var id in ids.Distinct())
            if (await GetAsync(id, ct) is { } e && (e.PersonId == personId || e.Contacts.Any(c => c.PersonId == personId))) list.Add(e);
        return list;
    }

    /// <summary>Keeps the <c>contact|{person id}</c> rows in step with the contacts that have an account.</summary>
    internal async Task IndexContactsAsync(string elderId, IReadOnlyList<StoredContact> before, IReadOnlyList<StoredContact> after, CancellationToken ct)
    {
        var index = await tables.GetAsync(TableNames.ElderIndex, ct);
        var old = before.Where(c => c.PersonId is not null).Select(c => c.PersonId!).ToHashSet(StringComparer.Ordinal);
        var now = after.Where(c => c.PersonId is not null).Select(c => c.PersonId!).ToHashSet(StringComparer.Ordinal);
        foreach (var p in now.Except(old)) await index.UpsertEntityAsync(new TableEntity("contact|" + p, elderId), TableUpdateMode.Replace, ct);
        foreach (var p in old.Except(now)) await index.DeleteEntityAsync("contact|" + p, elderId, cancellationToken: ct);
    }

    /// <summary>Replaces the elder row if it has not changed since it was read (412 otherwise, for <c>Optimistic.RetryAsync</c>).</summary>
    internal async Task<StoredElder> ReplaceAsync(StoredElder elder, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Elders, ct);
        var response = await table.UpdateEntityAsync(ToEntity(elder), elder.ETag, TableUpdateMode.Replace, ct);
        return elder with { ETag = response.Headers.ETag ?? default };
    }

    /// <summary>
    /// Records the elder's death on their own row: the date of death and every enrolment closed at it
    /// (<see cref="ServiceLifecycle.EndAtDeath"/>). Answers the elder after the change and the services that were still open
    /// after the date of death; nothing changes (and none are listed) when the death is already recorded on the row.
    /// </summary>
    internal async Task<(StoredElder? Elder, IReadOnlyList<ElderCareService> Ended)> RecordDeathAsync(string elderId, DateOnly diedOn, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Elders, ct);
        return await Optimistic.RetryAsync<(StoredElder?, IReadOnlyList<ElderCareService>)>($"elder {elderId}", async () =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(elderId, Row, cancellationToken: ct);
            if (!found.HasValue) return (null, []);
            var stored = await FromEntityAsync(found.Value!, ct);
            var ended = ServiceLifecycle.EndAtDeath(stored.Enrolments, diedOn);
            var open = stored.Enrolments.Where(e => e.Until is not { } u || u > diedOn).Select(e => e.Service).ToList();
            if (found.Value!.GetString("DiedOn") is not null && open.Count == 0) return (stored, []);
            var next = stored with { Elder = stored.Elder with { DiedOn = diedOn }, Enrolments = ended };
            return (await ReplaceAsync(next, ct), open);
        }, ct);
    }

    TableEntity ToEntity(StoredElder s)
    {
        var id = s.Elder.Id;
        var e = new TableEntity(id, Row)
        {
            ["PersonId"] = s.PersonId,
            ["IdIndex"] = s.IdIndex,
            ["Jurisdiction"] = s.Jurisdiction,
            ["DistrictCode"] = s.Elder.DistrictCode,
            ["Community"] = s.Elder.Community,
            ["Category"] = s.Elder.Category.ToString(),
            ["LivesAlone"] = s.Elder.LivesAlone,
            ["Name"] = cipher.Encrypt(s.Elder.Name, Ad(id, "name")),
            ["BirthDate"] = cipher.Encrypt(s.Elder.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Ad(id, "birthDate")),
            ["Address"] = cipher.Encrypt(s.Address, Ad(id, "address")),
            ["Contacts"] = cipher.Encrypt(JsonSerializer.Serialize(s.Contacts, Json), Ad(id, "contacts")),
            ["MealCard"] = cipher.Encrypt(s.MealCardNumber, Ad(id, "mealCard")),
            ["Enrolments"] = JsonSerializer.Serialize(s.Enrolments, Json),
            ["EnrolledAt"] = s.EnrolledAt,
            ["EnrolledBy"] = s.EnrolledBy,
        };
        if (s.Elder.Home is { } home)
            e["Home"] = cipher.Encrypt(string.Create(CultureInfo.InvariantCulture, $"{home.Latitude:R},{home.Longitude:R}"), Ad(id, "home"));
        if (s.Elder.DiedOn is { } died) e["DiedOn"] = died.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return e;
    }

    async Task<StoredElder> FromEntityAsync(TableEntity e, CancellationToken ct)
    {
        var id = e.PartitionKey;
        var contacts = JsonSerializer.Deserialize<List<StoredContact>>(cipher.Decrypt(e.GetString("Contacts"), Ad(id, "contacts")), Json) ?? [];
        GeoPoint? home = null;
        if (e.GetString("Home") is { } h)
        {
            var parts = cipher.Decrypt(h, Ad(id, "home")).Split(',');
            home = new GeoPoint(double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        var jurisdiction = e.GetString("Jurisdiction");
        var idIndex = e.GetString("IdIndex");
        DateOnly? diedOn = e.GetString("DiedOn") is { } d ? DateOnly.ParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : await deaths.DateOfDeathAsync(idIndex, jurisdiction, ct);
        var elder = new Elder
        {
            Id = id,
            Name = cipher.Decrypt(e.GetString("Name"), Ad(id, "name")),
            BirthDate = DateOnly.ParseExact(cipher.Decrypt(e.GetString("BirthDate"), Ad(id, "birthDate")), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            Category = Enum.Parse<ElderCategory>(e.GetString("Category")),
            LivesAlone = e.GetBoolean("LivesAlone") == true,
            Community = e.GetString("Community"),
            DistrictCode = e.GetString("DistrictCode"),
            Home = home,
            Contacts = contacts.Select(c => c.ToDomain()).ToList(),
            DiedOn = diedOn,
        };
        return new StoredElder(elder, jurisdiction, e.GetString("PersonId"), idIndex, cipher.Decrypt(e.GetString("Address"), Ad(id, "address")),
            contacts, JsonSerializer.Deserialize<List<Enrolment>>(e.GetString("Enrolments"), Json) ?? [],
            cipher.Decrypt(e.GetString("MealCard"), Ad(id, "mealCard")),
            e.GetDateTimeOffset("EnrolledAt") ?? default, e.GetString("EnrolledBy") ?? "", e.ETag);
    }

    static string Ad(string elderId, string field) => $"elder:{elderId}:{field}";
}
