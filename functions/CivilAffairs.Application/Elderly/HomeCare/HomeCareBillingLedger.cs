using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.HomeCare;

/// <summary>
/// Home-care billing lines (table <see cref="TableNames.ElderlyHomeCareBilling"/>). The elder's month
/// (<c>e|{elderId}|{yyyyMM}</c>) holds one row per billed visit (<c>line.{orderId}</c>) and a <c>budget</c> row: a line is
/// added in one transaction with the budget row's ETag, so two visits confirmed at once cannot both spend the same remaining
/// hours (the loser re-reads and bills against what is left). The provider's month (<c>p|{provider}|{yyyyMM}</c>, RK order id)
/// is a copy for the monthly billing list, with the elder's jurisdiction for the scope check. Billing an order twice answers
/// the line already stored.
/// </summary>
public sealed class HomeCareBillingLedger(Tables tables)
{
    const string BudgetRow = "budget";
    const string LinePrefix = "line.";

    public static string ElderPartition(string elderId, DateOnly date) => $"e|{elderId}|{date:yyyyMM}";
    public static string ProviderPartition(string providerId, DateOnly month) => $"p|{providerId}|{month:yyyyMM}";

    /// <summary>Bills a confirmed order against the elder's month (or answers the line already billed), and copies it to the provider's month.</summary>
    public async Task<Outcome<HomeCareBillingLine>> BillAsync(HomeCareOrder confirmed, Elder elder, Enrolment? budget, string jurisdiction,
        HomeCareCatalogue catalogue, CancellationToken ct)
    {
        var evv = confirmed.Evv();
        if (!evv.Accepted) return Outcome<HomeCareBillingLine>.Reject(evv.Rejections);
        var partition = ElderPartition(elder.Id, evv.Value.Date);
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareBilling, ct);
        var outcome = await Optimistic.RetryAsync($"home-care budget {partition}", async () =>
        {
            TableEntity? head = null;
            var lines = new List<HomeCareBillingLine>();
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
                if (e.RowKey == BudgetRow) head = e;
                else lines.Add(LineOf(e));
            if (lines.FirstOrDefault(l => l.OrderId == confirmed.Id) is { } billed) return Outcome<HomeCareBillingLine>.Accept(billed);
            var bill = HomeCareBilling.Bill(confirmed, elder, budget, HomeCareBilling.SubsidisedHoursUsed(elder.Id, evv.Value.Date, lines), catalogue);
            if (!bill.Accepted) return bill;
            var newHead = new TableEntity(partition, BudgetRow) { ["Lines"] = lines.Count + 1, ["BudgetHours"] = Num(bill.Value.BudgetHours) };
            await table.SubmitTransactionAsync(
            [
                head is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, newHead)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, newHead, head.ETag),
                new TableTransactionAction(TableTransactionActionType.Add, ToEntity(bill.Value, partition, LinePrefix + confirmed.Id, jurisdiction)),
            ], ct);
            return bill;
        }, ct);
        if (outcome.Accepted)
            await table.UpsertEntityAsync(ToEntity(outcome.Value, ProviderPartition(confirmed.ProviderId!, evv.Value.Date), confirmed.Id, jurisdiction), TableUpdateMode.Replace, ct);
        return outcome;
    }

    /// <summary>The line billed for an order, if any.</summary>
    public async Task<HomeCareBillingLine?> LineAsync(string elderId, DateOnly visitDate, string orderId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareBilling, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(ElderPartition(elderId, visitDate), LinePrefix + orderId, cancellationToken: ct);
        return found.HasValue ? LineOf(found.Value!) : null;
    }

    /// <summary>A provider's month: each line with the elder's jurisdiction.</summary>
    public async Task<IReadOnlyList<(HomeCareBillingLine Line, string Jurisdiction)>> ProviderMonthAsync(string providerId, DateOnly month, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareBilling, ct);
        var list = new List<(HomeCareBillingLine, string)>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ProviderPartition(providerId, month)}"), cancellationToken: ct))
            list.Add((LineOf(e), e.GetString("Jurisdiction")));
        return list;
    }

    static string Num(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
    static decimal Num(TableEntity e, string name) => decimal.Parse(e.GetString(name), CultureInfo.InvariantCulture);

    static TableEntity ToEntity(HomeCareBillingLine l, string partition, string row, string jurisdiction) => new(partition, row)
    {
        ["OrderId"] = l.OrderId,
        ["ElderId"] = l.ElderId,
        ["Jurisdiction"] = jurisdiction,
        ["Service"] = l.Service.ToString(),
        ["VisitDate"] = l.VisitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["BillableHours"] = Num(l.BillableHours),
        ["HourlyPrice"] = Num(l.HourlyPrice),
        ["Amount"] = Num(l.Amount),
        ["SubsidisedHours"] = Num(l.SubsidisedHours),
        ["Subsidy"] = Num(l.Subsidy),
        ["ElderPays"] = Num(l.ElderPays),
        ["BudgetHours"] = Num(l.BudgetHours),
        ["RemainingHoursAfter"] = Num(l.RemainingHoursAfter),
    };

    static HomeCareBillingLine LineOf(TableEntity e) => new(e.GetString("OrderId"), e.GetString("ElderId"), Enum.Parse<HomeCareServiceType>(e.GetString("Service")),
        DateOnly.ParseExact(e.GetString("VisitDate"), "yyyy-MM-dd", CultureInfo.InvariantCulture), Num(e, "BillableHours"), Num(e, "HourlyPrice"), Num(e, "Amount"),
        Num(e, "SubsidisedHours"), Num(e, "Subsidy"), Num(e, "ElderPays"), Num(e, "BudgetHours"), Num(e, "RemainingHoursAfter"));
}
