using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>
/// Daily settlement per meal point (日结, <see cref="MealSubsidy.DailySettlements"/>) and monthly reconciliation per district
/// (月度对账, <see cref="MealSubsidy.Reconcile"/>), each from one partition of <see cref="MealLedger"/>. The nightly run
/// (<see cref="SettleDayAsync"/>, just after midnight China time) records each point's day in
/// <see cref="TableNames.ElderlyMealSettlements"/> (PK point id, RK <c>yyyyMMdd</c>); reading a day always sums the day's
/// transactions, and says when it was settled. Staff with <c>SettleMeals</c> see the points and districts of their jurisdiction.
/// </summary>
public sealed class MealSettlementService(MealPointService points, MealLedger ledger, Tables tables, DivisionDirectory divisions, AuditLog audit,
    TimeProvider clock, ILogger<MealSettlementService> logger)
{
    public static Problem ReconciliationNotFound() =>
        Problem.NotFound("MEAL_RECONCILIATION_NOT_FOUND", "对账单不存在", "没有找到该区该月的助餐对账单，或不在您的管辖范围内。");

    public async Task<Result<MealSettlementView>> DailyAsync(CallContext call, string pointId, string date)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return Problem.Invalid("date", "日期格式为 yyyy-MM-dd。");
        var point = await points.FindAsync(pointId, call.Cancellation);
        if (point is null || !AccessPolicy.InScope(call.Caller, new ResourceScope(point.Jurisdiction))) return MealPointService.NotFound();
        return Result.Ok(await SettlementAsync(point, day, call.Cancellation));
    }

    /// <summary>The nightly run: settles <paramref name="date"/> for every meal point. Returns how many points had meals.</summary>
    public async Task<int> SettleDayAsync(DateOnly date, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealSettlements, ct);
        var withMeals = 0;
        foreach (var point in await points.AllAsync(ct))
        {
            var s = await SettlementAsync(point, date, ct);
            await table.UpsertEntityAsync(new TableEntity(point.Point.Id, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            {
                ["Meals"] = s.Meals,
                ["PriceTotal"] = Money(s.PriceTotal),
                ["ElderPaid"] = Money(s.ElderPaid),
                ["CityPays"] = Money(s.CityPays),
                ["DistrictPays"] = Money(s.DistrictPays),
                ["SettledAt"] = clock.GetUtcNow(),
            }, TableUpdateMode.Replace, ct);
            if (s.Meals > 0) withMeals++;
        }
        await audit.AppendAsync(null, new AuditEvent("elderly.meal.dailySettlement", AuditOutcome.Success, Detail: $"{date:yyyy-MM-dd}: {withMeals} points with meals"), null, ct);
        logger.LogInformation("Meal settlement {Date}: {Points} points with meals", date, withMeals);
        return withMeals;
    }

    public async Task<Result<MealReconciliationView>> MonthlyAsync(CallContext call, string district, string month) =>
        await ReconcileAsync(call.Caller, district, month, call.Cancellation) is { } view ? Result.Ok(view) : ReconciliationNotFound();

    /// <summary>The month as CSV (UTF-8 with BOM for spreadsheet programs): one line per meal point and a total line.</summary>
    public async Task<Result<FileBody>> MonthlyCsvAsync(CallContext call, string district, string month)
    {
        if (await ReconcileAsync(call.Caller, district, month, call.Cancellation) is not { } view) return ReconciliationNotFound();
        await audit.AppendAsync(call.Caller, new AuditEvent("elderly.meal.reconciliation.csv", AuditOutcome.Success, Detail: $"{district}/{month}"), call.RequestId, call.Cancellation);
        var csv = Csv(view);
        return Result.Ok(FileBody.Csv(csv, $"meal-reconciliation-{district}-{month}.csv"));
    }

    public static string Csv(MealReconciliationView view)
    {
        var b = new StringBuilder("饭堂编号,饭堂名称,饭堂所在区,区外就餐,餐次,餐费合计（元）,老人自付（元）,市级补贴（元）,区级补贴（元）\n");
        foreach (var l in view.MealPoints)
            b.AppendJoin(',', TextEncoding.ForCsv(l.MealPointId), TextEncoding.ForCsv(l.MealPointName), TextEncoding.ForCsv(l.MealPointDistrictCode),
                l.OutsideDistrict ? "是" : "否", l.Meals.ToString(CultureInfo.InvariantCulture), Money(l.PriceTotal), Money(l.ElderPaid), Money(l.CityPays),
                Money(l.DistrictPays)).Append('\n');
        b.AppendJoin(',', "合计", TextEncoding.ForCsv($"{view.DistrictName} {view.Month}"), TextEncoding.ForCsv(view.DistrictCode), "",
            (view.Meals + view.MealsOutsideDistrict).ToString(CultureInfo.InvariantCulture), Money(view.MealPoints.Sum(l => l.PriceTotal)),
            Money(view.MealPoints.Sum(l => l.ElderPaid)), Money(view.CityPays + view.CityPaysOutsideDistrict), Money(view.DistrictOwes)).Append('\n');
        return b.ToString();
    }

    async Task<MealReconciliationView?> ReconcileAsync(Caller caller, string district, string month, CancellationToken ct)
    {
        if (district is not { Length: 6 } || !district.All(char.IsAsciiDigit) || divisions.Find(district) is not { Level: DivisionLevel.District } division) return null;
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)) return null;
        if (!AccessPolicy.InScope(caller, new ResourceScope(district))) return null;
        var transactions = await ledger.MonthAsync(district, first, ct);
        var total = MealSubsidy.Reconcile(district, first, transactions);
        var names = (await points.AllAsync(ct)).ToDictionary(p => p.Point.Id, p => p.Point.Name, StringComparer.Ordinal);
        var lines = MealSubsidy.DailySettlements(transactions)
            .GroupBy(s => s.MealPointId, StringComparer.Ordinal)
            .Select(g =>
            {
                var pointDistrict = transactions.First(t => t.MealPointId == g.Key).MealPointDistrictCode;
                return new MealReconciliationLine(g.Key, names.GetValueOrDefault(g.Key, g.Key), pointDistrict, pointDistrict != district, g.Sum(s => s.Meals),
                    g.Sum(s => s.PriceTotal), g.Sum(s => s.ElderPaid), g.Sum(s => s.CityPays), g.Sum(s => s.DistrictPays));
            })
            .OrderBy(l => l.OutsideDistrict).ThenBy(l => l.MealPointId, StringComparer.Ordinal)
            .ToList();
        return new MealReconciliationView(district, divisions.FullName(division.Code), month, total.Meals, total.DistrictOwes, total.CityPays,
            total.MealsOutsideDistrict, total.CityPaysOutsideDistrict, lines);
    }

    async Task<MealSettlementView> SettlementAsync(StoredMealPoint point, DateOnly date, CancellationToken ct)
    {
        var day = MealSubsidy.DailySettlements(await ledger.DayAsync(point.Point.Id, date, ct)).SingleOrDefault();
        var table = await tables.GetAsync(TableNames.ElderlyMealSettlements, ct);
        var settled = await table.GetEntityIfExistsAsync<TableEntity>(point.Point.Id, date.ToString("yyyyMMdd", CultureInfo.InvariantCulture), select: ["SettledAt"], cancellationToken: ct);
        return new MealSettlementView(point.Point.Id, point.Point.Name, point.Point.DistrictCode, date, day?.Meals ?? 0, day?.PriceTotal ?? 0m,
            day?.ElderPaid ?? 0m, day?.CityPays ?? 0m, day?.DistrictPays ?? 0m, settled.HasValue ? settled.Value!.GetDateTimeOffset("SettledAt") : null);
    }

    static string Money(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);
}
