using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;

namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>An issued certificate as stored: what was signed, where its status lives, its current state.</summary>
public sealed record CertificateRecord(
    string CertificateNumber,
    CertificateKind Kind,
    string RecordId,
    string OfficeId,
    DateOnly RegisteredOn,
    string KeyId,
    string StatusListId,
    int StatusIndex,
    string QrText,
    CertificateState State,
    DateTimeOffset IssuedAt,
    DateTimeOffset? StateChangedAt)
{
    public IssuedCertificate ToIssued() => new(CertificateNumber, KeyId, StatusListId, StatusIndex, QrText);
}

/// <summary>
/// Issued certificates (table <see cref="CertificateStorage.CertificatesTable"/>, PK certificate number, RK <c>certificate</c>).
/// The QR text holds masked names only; the record id links back to the registry, which holds the persons.
/// </summary>
public sealed class CertificateRepository(Tables tables)
{
    const string Row = "certificate";

    Task<TableClient> TableAsync(CancellationToken ct) => tables.GetAsync(CertificateStorage.CertificatesTable, ct);

    public async Task<CertificateRecord?> FindAsync(string certificateNumber, CancellationToken ct)
    {
        if (!IsValidNumber(certificateNumber)) return null;
        var row = await (await TableAsync(ct)).GetEntityIfExistsAsync<TableEntity>(certificateNumber, Row, cancellationToken: ct);
        return row.HasValue ? FromEntity(row.Value!) : null;
    }

    /// <summary>Inserts a new certificate; false when the number is already taken (the caller reads the existing one).</summary>
    public async Task<bool> TryAddAsync(CertificateRecord record, CancellationToken ct)
    {
        try
        {
            await (await TableAsync(ct)).AddEntityAsync(ToEntity(record), ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Sets the stored state (read-modify-write through <see cref="Optimistic"/>).</summary>
    public async Task SetStateAsync(string certificateNumber, CertificateState state, DateTimeOffset at, CancellationToken ct)
    {
        var table = await TableAsync(ct);
        await Optimistic.RetryAsync("marriage certificate", async () =>
        {
            var row = (await table.GetEntityAsync<TableEntity>(certificateNumber, Row, cancellationToken: ct)).Value;
            if (row.GetString("State") == state.ToString()) return;
            var update = new TableEntity(certificateNumber, Row) { ["State"] = state.ToString(), ["StateChangedAt"] = at };
            await table.UpdateEntityAsync(update, row.ETag, TableUpdateMode.Merge, ct);
        }, ct);
    }

    /// <summary>A number usable as a table key: 1–64 characters of A–Z, a–z, 0–9, '-' and '_' (e.g. <c>J440106-2026-000123</c>).</summary>
    public static bool IsValidNumber(string? number) =>
        number is { Length: > 0 and <= 64 } && number.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    static TableEntity ToEntity(CertificateRecord r) => new(r.CertificateNumber, Row)
    {
        ["Kind"] = r.Kind.ToString(),
        ["RecordId"] = r.RecordId,
        ["OfficeId"] = r.OfficeId,
        ["RegisteredOn"] = r.RegisteredOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        ["KeyId"] = r.KeyId,
        ["StatusListId"] = r.StatusListId,
        ["StatusIndex"] = r.StatusIndex,
        ["QrText"] = r.QrText,
        ["State"] = r.State.ToString(),
        ["IssuedAt"] = r.IssuedAt,
        ["StateChangedAt"] = r.StateChangedAt,
    };

    static CertificateRecord FromEntity(TableEntity e) => new(
        e.PartitionKey,
        Enum.Parse<CertificateKind>(e.GetString("Kind")),
        e.GetString("RecordId"),
        e.GetString("OfficeId"),
        DateOnly.ParseExact(e.GetString("RegisteredOn"), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        e.GetString("KeyId"),
        e.GetString("StatusListId"),
        e.GetInt32("StatusIndex") ?? 0,
        e.GetString("QrText"),
        Enum.Parse<CertificateState>(e.GetString("State")),
        e.GetDateTimeOffset("IssuedAt") ?? default,
        e.GetDateTimeOffset("StateChangedAt"));
}
