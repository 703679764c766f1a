using System.Globalization;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.WelfareChecks;
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
/// one welfare check for the community worker (<see cref="WelfareCheckService"/>, key = the last meal day: one absence is one
/// task however many days it lasts). Staff list them with the other welfare checks (<c>GET /api/elderly/meal-absences</c> is
/// that list filtered to meal absences).
/// </summary>
public sealed class MealAbsenceService(ElderRepository elders, MealLedger ledger, WelfareCheckService checks, DivisionDirectory divisions,
    IOptions<MealsOptions> options, ILogger<MealAbsenceService> logger)
{
    /// <summary>The daily run for <paramref name="today"/> (China date). Returns the number of new welfare checks.</summary>
    public async Task<int> DetectAsync(DateOnly today, CancellationToken ct)
    {
        var rule = options.Value.Rule;
        var from = today.AddDays(-(rule.AbsenceDays + rule.UsualWindowDays));
        var raised = 0;
        foreach (var city in divisions.All.Where(d => d.Level == DivisionLevel.City))
            await foreach (var stored in elders.ListAsync(city.Code, ct))
            {
                if (!stored.Elder.LivesAlone) continue;
                if (!ServiceLifecycle.IsActive(stored.EnrolmentFor(ElderCareService.MealSubsidy), stored.Elder.DiedOn, today, ElderCareService.MealSubsidy)) continue;
                if (MealAttendance.Assess(await ledger.MealDaysAsync(stored.Elder.Id, from, ct), today, rule) is not { } absence) continue;
                if (await checks.RaiseAsync(stored, WelfareCheckReason.MealAbsence, absence.LastMealOn.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                        new Dictionary<string, object>
                        {
                            ["LastMealOn"] = absence.LastMealOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                            ["DaysAbsent"] = absence.DaysAbsent,
                            ["MealDaysBefore"] = absence.MealDaysBefore,
                        }, ct))
                    raised++;
            }
        logger.LogInformation("Meal attendance {Date}: {Raised} new welfare checks", today, raised);
        return raised;
    }
}
