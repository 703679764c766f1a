using FieldError = CivilAffairs.Domain.Catalog.FieldError;
using System.Globalization;
using System.Text;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Alarms;

/// <summary>
/// The SLA ledger's monthly report per operator company (<c>ReadAlarmReports</c>): <see cref="SlaLedger.Monthly"/> over the
/// alarms received in the month (one partition of <c>ElderlyAlarmSla</c>), with each alarm's timeline (<see cref="SlaLedger.Timeline"/>);
/// as JSON or as CSV (UTF-8 with BOM for Excel; the domain's headers and rows). A supervisor reads their own company only.
/// </summary>
public sealed class AlarmReportService(AlarmRepository alarms, AuditLog audit)
{
    public async Task<Result<AlarmMonthlyReport>> MonthlyAsync(CallContext call, string? month, string? company)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (month is null || !DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
        {
            errors.Add(new FieldError("month", "请按 yyyy-MM 填写月份，如 2026-12。"));
            first = default;
        }
        var target = company ?? caller.Channel;
        if (target is not { Length: > 0 and <= 64 } || !target.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            errors.Add(new FieldError("company", "请填写运营单位代码，如 pat-center。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (caller.IsContractor && caller.Channel != target)
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.alarmReport.read", AuditOutcome.Denied, Detail: $"{target}:{month}"), requestId, ct);
            return Problem.Forbidden("呼叫中心人员只能查看本单位的报表。", "OTHER_COMPANY", "无权查看其他运营单位");
        }
        var list = await alarms.MonthAsync(target!, first, ct);
        var stats = SlaLedger.Monthly(list).FirstOrDefault()
            ?? new SlaMonthStatistics(target!, first, 0, 0, 0m, 0m, 0m, null, null, 0, 0, 0m, false);
        await audit.AppendAsync(caller, new AuditEvent("elderly.alarmReport.read", AuditOutcome.Success, Detail: $"{target}:{month}"), requestId, ct);
        return Result.Ok(new AlarmMonthlyReport(stats, list.OrderBy(a => a.RaisedAt).Select(SlaLedger.Timeline).ToList(),
            SlaLedger.ReferenceShareWithin30Seconds, SlaLedger.ReferenceShareWithin60Seconds));
    }

    /// <summary>The same report as CSV: the month's statistics (header + row), an empty line, then one row per alarm.</summary>
    public async Task<Result<FileBody>> MonthlyCsvAsync(CallContext call, string? month, string? company) =>
        (await MonthlyAsync(call, month, company)).Map(report =>
        {
            var csv = new StringBuilder();
            void Line(IEnumerable<string> cells) => csv.AppendJoin(',', cells.Select(TextEncoding.ForCsv)).Append("\r\n");
            Line(SlaMonthStatistics.Headers);
            Line(report.Statistics.ToRow());
            csv.Append("\r\n");
            Line(AlarmTimeline.Headers);
            foreach (var t in report.Alarms) Line(t.ToRow());
            var s = report.Statistics;
            return FileBody.Csv(csv.ToString(), $"alarm-sla-{s.Company}-{s.Month:yyyy-MM}.csv");
        });
}
