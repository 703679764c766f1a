using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using CivilAffairs.Application.Marriage.Offices;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Marriage.Statistics;

/// <summary>What the data center counts per office and month.</summary>
public enum MarriageMetric
{
    Registration,
    Divorce,
    /// <summary>A divorce application withdrawn during the cooling-off.</summary>
    Withdrawal,
    /// <summary>A divorce application deemed withdrawn: nobody appeared after the cooling-off.</summary>
    Lapse,
    /// <summary>A booking made: its wait for the slot, in days.</summary>
    Wait,
}

public sealed record OfficeMonth(string OfficeId, string OfficeName, string District, int Registrations, int Divorces, int CoolingOffWithdrawals,
    int Lapses, int Bookings, decimal AverageWaitDays);

/// <summary>The monthly statistics (JSON), one line per office in the caller's reach.</summary>
public sealed record MarriageMonthlyReport(string Month, IReadOnlyList<OfficeMonth> Offices, OfficeMonth Total);

/// <summary>
/// Statistics for the data center. Every counted fact is a row of <c>MarriageStatistics</c> in the partition of its office and
/// China month (PK <c>{office}|{yyyy-MM}</c>, RK <c>{metric}|{id}</c>), upserted by the step that makes it — so a step repeated
/// counts once, and a month's report is one partition query per office. No personal data: ids and numbers only.
/// </summary>
public sealed class MarriageStatistics(Tables tables, OfficeRepository offices, DivisionDirectory divisions, AuditLog audit)
{
    public async Task RecordAsync(string officeId, DateTimeOffset at, MarriageMetric metric, string id, decimal? value, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.MarriageStatistics, ct);
        var row = new TableEntity(Partition(officeId, ChinaTime.DateOf(at)), $"{metric}|{id}");
        if (value is { } v) row["Value"] = (double)v;
        await table.UpsertEntityAsync(row, TableUpdateMode.Replace, ct);
    }

    static string Partition(string officeId, DateOnly date) => $"{officeId}|{date:yyyy-MM}";

    public async Task<Result<MarriageMonthlyReport>> MonthlyAsync(CallContext call, string? month, string? officeId)
    {
        var (caller, requestId, ct) = call;
        if (month is null || !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            return Problem.InvalidQuery("month", "请用 month=yyyy-MM 指定月份。", "月份格式须为 yyyy-MM");
        var all = await offices.ListAsync(ct);
        var reach = all.Where(o => caller.Jurisdiction is { } j && Jurisdiction.Contains(j, o.District)).ToList();
        if (officeId is not null)
        {
            reach = [.. reach.Where(o => o.Id == officeId)];
            if (reach.Count == 0) return MarriageProblems.OfficeNotFound();
        }
        var table = await tables.GetAsync(TableNames.MarriageStatistics, ct);
        var lines = new List<OfficeMonth>();
        foreach (var office in reach.OrderBy(o => o.District).ThenBy(o => o.Id))
        {
            var counts = new Dictionary<MarriageMetric, int>();
            var waits = new List<double>();
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition(office.Id, first)}"), cancellationToken: ct))
            {
                if (!Enum.TryParse<MarriageMetric>(e.RowKey.Split('|')[0], out var metric)) continue;
                counts[metric] = counts.GetValueOrDefault(metric) + 1;
                if (metric == MarriageMetric.Wait && e.GetDouble("Value") is { } w) waits.Add(w);
            }
            lines.Add(new OfficeMonth(office.Id, office.Name, office.District, counts.GetValueOrDefault(MarriageMetric.Registration), counts.GetValueOrDefault(MarriageMetric.Divorce),
                counts.GetValueOrDefault(MarriageMetric.Withdrawal), counts.GetValueOrDefault(MarriageMetric.Lapse), counts.GetValueOrDefault(MarriageMetric.Wait), Average(waits)));
        }
        var bookings = lines.Sum(l => l.Bookings);
        var total = new OfficeMonth("", "合计", caller.Jurisdiction ?? "", lines.Sum(l => l.Registrations), lines.Sum(l => l.Divorces), lines.Sum(l => l.CoolingOffWithdrawals),
            lines.Sum(l => l.Lapses), bookings, bookings == 0 ? 0 : Math.Round(lines.Sum(l => l.AverageWaitDays * l.Bookings) / bookings, 1, MidpointRounding.AwayFromZero));
        await audit.AppendAsync(caller, new AuditEvent("marriage.statistics.read", AuditOutcome.Success, Detail: $"{month}:{officeId ?? "all"}"), requestId, ct);
        return Result.Ok(new MarriageMonthlyReport(month, lines, total));
    }

    public async Task<Result<FileBody>> MonthlyCsvAsync(CallContext call, string? month, string? officeId)
    {
        var report = await MonthlyAsync(call, month, officeId);
        if (report.Problem is { } p) return p;
        var csv = new StringBuilder("登记处编号,登记处,所在区,结婚登记,离婚登记,冷静期内撤回,逾期视为撤回,预约数,平均等待天数\r\n");
        foreach (var l in report.Value!.Offices.Append(report.Value.Total))
            csv.Append(string.Join(',', TextEncoding.ForCsv(l.OfficeId), TextEncoding.ForCsv(l.OfficeName), TextEncoding.ForCsv(divisions.Find(l.District)?.Name ?? l.District),
                l.Registrations, l.Divorces, l.CoolingOffWithdrawals, l.Lapses, l.Bookings, l.AverageWaitDays.ToString("0.0", CultureInfo.InvariantCulture))).Append("\r\n");
        return Result.Ok(FileBody.Csv(csv.ToString(), $"marriage-{month}.csv"));
    }

    static decimal Average(List<double> values) => values.Count == 0 ? 0 : Math.Round((decimal)values.Average(), 1, MidpointRounding.AwayFromZero);
}
