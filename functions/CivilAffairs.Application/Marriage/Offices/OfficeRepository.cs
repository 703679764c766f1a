using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Offices;

/// <summary>Registry offices: table <c>MarriageOffices</c>, PK <c>office</c>, RK office id, the office as JSON (no personal data).</summary>
public sealed class OfficeRepository(Tables tables)
{
    const string Partition = "office";

    public static bool IsWellFormedId(string? id) => id is { Length: >= 3 and <= 40 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    public async Task<RegistryOffice?> GetAsync(string officeId, CancellationToken ct)
    {
        if (!IsWellFormedId(officeId)) return null;
        var table = await tables.GetAsync(TableNames.MarriageOffices, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition, officeId, cancellationToken: ct);
        return row.HasValue ? Parse(row.Value!) : null;
    }

    public async Task<IReadOnlyList<RegistryOffice>> ListAsync(CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageOffices, ct);
        var list = new List<RegistryOffice>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
            list.Add(Parse(row));
        return list;
    }

    /// <summary>Stores the office (insert or replace).</summary>
    public async Task SaveAsync(RegistryOffice office, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageOffices, ct);
        await table.UpsertEntityAsync(new TableEntity(Partition, office.Id)
        {
            ["Office"] = JsonSerializer.Serialize(office, JsonDefaults.Options),
            ["District"] = office.District,
        }, TableUpdateMode.Replace, ct);
    }

    static RegistryOffice Parse(TableEntity e) => JsonSerializer.Deserialize<RegistryOffice>(e.GetString("Office"), JsonDefaults.Options)
        ?? throw new JsonException($"Office {e.RowKey} has no data.");

    public static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static bool TryTime(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
