using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>
/// Meal attendance (就餐考勤): once a day, for every elder living alone whose meal subsidy is active today, the days they ate
/// at any point (<see cref="MealLedger.MealDaysAsync"/>) are judged by <see cref="MealAttendance.Assess"/>; an absence raises
/// one welfare check for the community worker in <see cref="TableNames.ElderlyWelfareChecks"/> (PK the elder's community,
/// RK <c>mealAbsence.{elderId}.{last meal day}</c>: inserted once, so one absence is one task however many days it lasts).
/// Staff list the open checks of their jurisdiction (a partition range, no scan).
/// </summary>
public sealed class MealAbsenceService(ElderRepository elders, MealLedger ledger, Tables tables, DivisionDirectory divisions, AuditLog audit,
    IOptions<MealsOptions> options, TimeProvider clock, ILogger<MealAbsenceService> logger)
{
    public const string Reason = "mealAbsence";

    /// <summary>The daily run for <paramref name="today"/> (China date). Returns the number of new welfare checks.</summary>
    public async Task<int> DetectAsync(DateOnly today, CancellationToken ct)
    {
        var rule = options.Value.Rule;
        var from = today.AddDays(-(rule.AbsenceDays + rule.UsualWindowDays));
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var raised = 0;
        foreach (var city in divisions.All.Where(d => d.Level == DivisionLevel.City))
            await foreach (var stored in elders.ListAsync(city.Code, ct))
            {
                if (!stored.Elder.LivesAlone) continue;
                if (!ServiceLifecycle.IsActive(stored.EnrolmentFor(ElderCareService.MealSubsidy), stored.Elder.DiedOn, today, ElderCareService.MealSubsidy)) continue;
                if (MealAttendance.Assess(await ledger.MealDaysAsync(stored.Elder.Id, from, ct), today, rule) is not { } absence) continue;
                try
                {
                    await table.AddEntityAsync(new TableEntity(stored.Jurisdiction, RowKey(stored.Elder.Id, absence.LastMealOn))
                    {
                        ["Reason"] = Reason,
                        ["ElderId"] = stored.Elder.Id,
                        ["LastMealOn"] = absence.LastMealOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        ["DaysAbsent"] = absence.DaysAbsent,
                        ["MealDaysBefore"] = absence.MealDaysBefore,
                        ["RaisedAt"] = clock.GetUtcNow(),
                        ["Status"] = "open",
                    }, ct);
                    raised++;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                    // This absence already has its welfare check.
                }
            }
        logger.LogInformation("Meal attendance {Date}: {Raised} new welfare checks", today, raised);
        return raised;
    }

    /// <summary>The open meal-absence checks in the caller's jurisdiction, newest first, with the elder's name for the community worker who visits; citizens get none.</summary>
    public async Task<Result<WelfareCheckList>> ListAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        // The checks are the community worker's tasks: citizens (who may read the elders they follow) have none to see.
        if (!caller.IsStaff || caller.Jurisdiction is not { } jurisdiction) return Result.Ok(new WelfareCheckList(0, []));
        var prefix = Jurisdiction.Prefix(jurisdiction);
        var table = await tables.GetAsync(TableNames.ElderlyWelfareChecks, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"} and Reason eq {Reason}");
        var items = new List<WelfareCheckView>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (!Jurisdiction.Contains(jurisdiction, e.PartitionKey)) continue;
            var elder = await elders.GetAsync(e.GetString("ElderId"), ct);
            items.Add(new WelfareCheckView(e.RowKey, Reason, e.GetString("ElderId"), elder?.Elder.Name, e.PartitionKey,
                divisions.Find(e.PartitionKey) is null ? e.PartitionKey : divisions.FullName(e.PartitionKey),
                DateOnly.ParseExact(e.GetString("LastMealOn"), "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetInt32("DaysAbsent") ?? 0,
                e.GetInt32("MealDaysBefore") ?? 0, e.GetDateTimeOffset("RaisedAt") ?? default, e.GetString("Status") ?? "open"));
        }
        items = items.OrderByDescending(i => i.RaisedAt).ToList();
        await audit.AppendAsync(caller, new AuditEvent("elderly.mealAbsence.list", AuditOutcome.Success, Detail: $"{items.Count} checks"), requestId, ct);
        return Result.Ok(new WelfareCheckList(items.Count, items));
    }

    static string RowKey(string elderId, DateOnly lastMeal) => $"{Reason}.{elderId}.{lastMeal:yyyyMMdd}";
}
