using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Funeral.Services;

namespace CivilAffairs.Application.Funeral.Services;

/// <summary>The deceased as kept with the order (SM4-encrypted, bound to the order id).</summary>
public sealed record OrderDeceased(string Name, string IdNumber);

public sealed record StoredOrder(ServiceOrder Order, OrderDeceased Deceased, ETag ETag);

/// <summary>
/// Funeral service orders. <c>FuneralServiceOrders</c>: PK order id, RK <c>order</c> — the order in clear (ids, site, state, lines,
/// the frozen bill, the deceased's blind index) and the deceased SM4-encrypted. <c>FuneralServiceLedger</c>: PK
/// <c>{site}|{yyyy-MM}</c> (China month of settlement), RK order id — one row per settled order with its amounts, so a funeral
/// home's monthly reimbursement summary is one partition query; written (idempotently) after the settlement.
/// </summary>
public sealed class ServiceOrderRepository(Tables tables, FieldCipher cipher)
{
    const string Row = "order";

    public static bool IsWellFormedId(string? id) => id is { Length: 26 } && id.All(char.IsAsciiLetterOrDigit);

    public async Task<StoredOrder?> GetAsync(string id, CancellationToken ct)
    {
        if (!IsWellFormedId(id)) return null;
        var table = await tables.GetAsync(TableNames.FuneralServiceOrders, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: ct);
        if (!found.HasValue) return null;
        var e = found.Value!;
        return new StoredOrder(JsonSerializer.Deserialize<ServiceOrder>(e.GetString("Order"), JsonDefaults.Options)!,
            JsonSerializer.Deserialize<OrderDeceased>(cipher.Decrypt(e.GetString("Deceased"), Ad(id)), JsonDefaults.Options)!, e.ETag);
    }

    /// <summary>Inserts the order (<paramref name="etag"/> default) or replaces it if unchanged since read (412 otherwise).</summary>
    public async Task<ETag> SaveAsync(ServiceOrder order, OrderDeceased deceased, ETag etag, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralServiceOrders, ct);
        var entity = new TableEntity(order.Id, Row)
        {
            ["Order"] = JsonSerializer.Serialize(order, JsonDefaults.Options),
            ["Deceased"] = cipher.Encrypt(JsonSerializer.Serialize(deceased, JsonDefaults.Options), Ad(order.Id)),
            ["SiteId"] = order.SiteId,
            ["Status"] = order.Status.ToString(),
        };
        var response = etag == default ? await table.AddEntityAsync(entity, ct) : await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct);
        return response.Headers.ETag ?? default;
    }

    static string Ad(string id) => $"funeral.service-order:{id}:deceased";

    public static string MonthOf(DateTimeOffset settledAt) => settledAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM", CultureInfo.InvariantCulture);

    /// <summary>Records a settled order in its home's month (idempotent upsert).</summary>
    public async Task RecordSettledAsync(ServiceOrder order, CancellationToken ct)
    {
        if (order is not { Status: OrderStatus.Settled, Bill: { } bill, SettledAt: { } at }) return;
        var table = await tables.GetAsync(TableNames.FuneralServiceLedger, ct);
        await table.UpsertEntityAsync(new TableEntity($"{order.SiteId}|{MonthOf(at)}", order.Id)
        {
            ["BillNumber"] = order.BillNumber,
            ["SettledAt"] = at,
            ["Exemption"] = bill.Exemption?.ToString(),
            ["Total"] = Money(bill.Total),
            ["Exempted"] = Money(bill.Exempted),
            ["Payable"] = Money(bill.Payable),
        }, TableUpdateMode.Replace, ct);
    }

    public async Task<IReadOnlyList<SummaryRow>> SettledInAsync(string siteId, string month, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.FuneralServiceLedger, ct);
        var rows = new List<SummaryRow>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {siteId + "|" + month}"), cancellationToken: ct))
            rows.Add(new SummaryRow(e.RowKey, e.GetString("BillNumber") ?? "", e.GetDateTimeOffset("SettledAt") ?? default,
                e.GetString("Exemption") is { } g ? Enum.Parse<ExemptionGroup>(g) : null, Parse(e.GetString("Total")), Parse(e.GetString("Exempted")), Parse(e.GetString("Payable"))));
        return rows;
    }

    static string Money(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);
    static decimal Parse(string? s) => s is null ? 0m : decimal.Parse(s, CultureInfo.InvariantCulture);
}
