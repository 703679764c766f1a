using CivilAffairs.Domain.Platform;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Domain.Elderly;

/// <summary>Home-care services (居家养老服务项目).</summary>
public enum HomeCareServiceType
{
    /// <summary>助浴.</summary>
    Bathing,
    /// <summary>保洁.</summary>
    Cleaning,
    /// <summary>康复.</summary>
    Rehabilitation,
    /// <summary>陪护.</summary>
    Companionship,
    /// <summary>助餐（送餐上门）.</summary>
    MealDelivery,
}

public enum HomeCareOrderStatus
{
    /// <summary>已下单.</summary>
    Ordered,
    /// <summary>已派单.</summary>
    Assigned,
    /// <summary>已签到.</summary>
    CheckedIn,
    /// <summary>已签退.</summary>
    CheckedOut,
    /// <summary>已确认 (terminal; billable).</summary>
    Confirmed,
    /// <summary>已取消 (terminal).</summary>
    Cancelled,
}

/// <summary>Who confirmed the visit.</summary>
public enum VisitConfirmer
{
    /// <summary>老人本人.</summary>
    Elder,
    /// <summary>亲属.</summary>
    Relative,
}

public static class HomeCareNames
{
    public static string ChineseName(this HomeCareServiceType service) => service switch
    {
        HomeCareServiceType.Bathing => "助浴",
        HomeCareServiceType.Cleaning => "保洁",
        HomeCareServiceType.Rehabilitation => "康复",
        HomeCareServiceType.Companionship => "陪护",
        HomeCareServiceType.MealDelivery => "助餐",
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    public static string ChineseName(this HomeCareOrderStatus status) => status switch
    {
        HomeCareOrderStatus.Ordered => "已下单",
        HomeCareOrderStatus.Assigned => "已派单",
        HomeCareOrderStatus.CheckedIn => "已签到",
        HomeCareOrderStatus.CheckedOut => "已签退",
        HomeCareOrderStatus.Confirmed => "已确认",
        HomeCareOrderStatus.Cancelled => "已取消",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

/// <summary>
/// The service catalogue with unit prices per hour, and the monthly subsidised hours per category.
/// All numbers are demo assumptions (see the README): 助浴 80, 保洁 45, 康复 120, 陪护 40, 助餐 30 yuan per hour;
/// 特困 30 h, 低保 20 h, 低收入 15 h, 80岁以上 10 h, 60–79岁 4 h per month.
/// </summary>
public sealed record HomeCareCatalogue(IReadOnlyDictionary<HomeCareServiceType, decimal> HourlyPrices, IReadOnlyDictionary<ElderCategory, decimal> MonthlySubsidisedHours)
{
    public static readonly HomeCareCatalogue Default = new(
        new Dictionary<HomeCareServiceType, decimal>
        {
            [HomeCareServiceType.Bathing] = 80.00m,
            [HomeCareServiceType.Cleaning] = 45.00m,
            [HomeCareServiceType.Rehabilitation] = 120.00m,
            [HomeCareServiceType.Companionship] = 40.00m,
            [HomeCareServiceType.MealDelivery] = 30.00m,
        },
        new Dictionary<ElderCategory, decimal>
        {
            [ElderCategory.Destitute] = 30m,
            [ElderCategory.MinimumLiving] = 20m,
            [ElderCategory.LowIncome] = 15m,
            [ElderCategory.Aged80Plus] = 10m,
            [ElderCategory.Aged60To79] = 4m,
        });
}

/// <summary>A timestamped, geolocated stamp of the carer's phone.</summary>
public sealed record VisitStamp(GeoPoint Position, DateTimeOffset At);

public sealed record VisitConfirmation(VisitConfirmer By, string Name, DateTimeOffset At);

/// <summary>
/// The six elements of electronic visit verification (EVV, as in the US 21st Century Cures Act §12006): type of
/// service, recipient, date, location, provider, and start and end time.
/// </summary>
public sealed record EvvRecord(HomeCareServiceType ServiceType, string RecipientId, DateOnly Date, GeoPoint Location, string ProviderId, DateTimeOffset Start, DateTimeOffset End);

/// <summary>One home-care order: order → provider assignment → check-in → check-out → confirmation. Immutable.</summary>
public sealed record HomeCareOrder
{
    /// <summary>Check-in must be within this distance of the elder's home: 200 m.</summary>
    public const double DefaultMaxCheckInDistanceMetres = 200;

    public required string Id { get; init; }
    public required string ElderId { get; init; }
    public required HomeCareServiceType Service { get; init; }
    public required DateOnly ScheduledFor { get; init; }
    public required DateTimeOffset OrderedAt { get; init; }
    public HomeCareOrderStatus Status { get; init; } = HomeCareOrderStatus.Ordered;
    public string? ProviderId { get; init; }
    public VisitStamp? CheckIn { get; init; }
    public VisitStamp? CheckOut { get; init; }
    public VisitConfirmation? Confirmation { get; init; }
    public string? CancelReason { get; init; }

    /// <summary>Orders a service for an elder on a date: not in the past (HOMECARE_DATE_IN_PAST), not after death (ELDER_DECEASED).</summary>
    public static Outcome<HomeCareOrder> Place(string id, Elder elder, HomeCareServiceType service, DateOnly scheduledFor, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(clock);
        if (elder.DiedOn is { } died && scheduledFor > died)
            return Outcome<HomeCareOrder>.Reject("ELDER_DECEASED", $"老人已于{died:yyyy-MM-dd}去世，不能预约居家服务", "scheduledFor");
        if (scheduledFor < ChinaTime.Today(clock)) return Outcome<HomeCareOrder>.Reject("HOMECARE_DATE_IN_PAST", "服务日期不能早于今天", "scheduledFor");
        return Outcome<HomeCareOrder>.Accept(new HomeCareOrder { Id = id, ElderId = elder.Id, Service = service, ScheduledFor = scheduledFor, OrderedAt = clock.GetUtcNow() });
    }

    /// <summary>Ordered → Assigned; re-assigning while Assigned is allowed.</summary>
    public Outcome<HomeCareOrder> Assign(string providerId)
    {
        if (string.IsNullOrWhiteSpace(providerId)) return Outcome<HomeCareOrder>.Reject("HOMECARE_PROVIDER_REQUIRED", "请指定服务人员", "providerId");
        if (Status is not (HomeCareOrderStatus.Ordered or HomeCareOrderStatus.Assigned)) return Illegal("派单");
        return Outcome<HomeCareOrder>.Accept(this with { Status = HomeCareOrderStatus.Assigned, ProviderId = providerId });
    }

    /// <summary>
    /// Assigned → CheckedIn at the carer's position, now. Only the assigned provider (EVV_WRONG_PROVIDER), within
    /// <paramref name="maxDistanceMetres"/> of the elder's home (EVV_TOO_FAR; EVV_HOME_UNKNOWN when the home has no
    /// position), on the scheduled date (EVV_WRONG_DATE), and not after death (ELDER_DECEASED).
    /// </summary>
    public Outcome<HomeCareOrder> CheckInAt(string providerId, GeoPoint position, Elder elder, TimeProvider clock, double maxDistanceMetres = DefaultMaxCheckInDistanceMetres)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(clock);
        if (Status != HomeCareOrderStatus.Assigned) return Illegal("签到");
        if (providerId != ProviderId) return Outcome<HomeCareOrder>.Reject("EVV_WRONG_PROVIDER", "签到人员不是派单的服务人员", "providerId");
        if (elder.Id != ElderId) return Outcome<HomeCareOrder>.Reject("EVV_WRONG_RECIPIENT", "服务对象与工单不符", "elderId");
        var now = clock.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        if (elder.DiedOn is { } died && today > died) return Outcome<HomeCareOrder>.Reject("ELDER_DECEASED", $"老人已于{died:yyyy-MM-dd}去世，不能签到服务", null);
        if (today != ScheduledFor) return Outcome<HomeCareOrder>.Reject("EVV_WRONG_DATE", $"工单服务日期为{ScheduledFor:yyyy-MM-dd}，今天不能签到", null);
        if (elder.Home is not { } home) return Outcome<HomeCareOrder>.Reject("EVV_HOME_UNKNOWN", "老人住址未登记坐标，无法核验签到位置", null);
        var distance = position.DistanceTo(home);
        if (distance > maxDistanceMetres)
            return Outcome<HomeCareOrder>.Reject("EVV_TOO_FAR", $"签到位置距老人住址{distance:0}米，超过{maxDistanceMetres:0}米", "position");
        return Outcome<HomeCareOrder>.Accept(this with { Status = HomeCareOrderStatus.CheckedIn, CheckIn = new VisitStamp(position, now) });
    }

    /// <summary>CheckedIn → CheckedOut, now, by the same provider; strictly after check-in (EVV_CHECKOUT_BEFORE_CHECKIN).</summary>
    public Outcome<HomeCareOrder> CheckOutAt(string providerId, GeoPoint position, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (Status != HomeCareOrderStatus.CheckedIn) return Illegal("签退");
        if (providerId != ProviderId) return Outcome<HomeCareOrder>.Reject("EVV_WRONG_PROVIDER", "签退人员不是签到的服务人员", "providerId");
        var now = clock.GetUtcNow();
        if (now <= CheckIn!.At) return Outcome<HomeCareOrder>.Reject("EVV_CHECKOUT_BEFORE_CHECKIN", "签退时间必须晚于签到时间", null);
        return Outcome<HomeCareOrder>.Accept(this with { Status = HomeCareOrderStatus.CheckedOut, CheckOut = new VisitStamp(position, now) });
    }

    /// <summary>CheckedOut → Confirmed by the elder or a relative (姓名 required).</summary>
    public Outcome<HomeCareOrder> Confirm(VisitConfirmer by, string name, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (Status != HomeCareOrderStatus.CheckedOut) return Illegal("确认服务");
        if (string.IsNullOrWhiteSpace(name)) return Outcome<HomeCareOrder>.Reject("HOMECARE_CONFIRMER_REQUIRED", "请填写确认人姓名", "name");
        return Outcome<HomeCareOrder>.Accept(this with { Status = HomeCareOrderStatus.Confirmed, Confirmation = new VisitConfirmation(by, name, clock.GetUtcNow()) });
    }

    /// <summary>Cancels before check-in.</summary>
    public Outcome<HomeCareOrder> Cancel(string reason)
    {
        if (Status is not (HomeCareOrderStatus.Ordered or HomeCareOrderStatus.Assigned)) return Illegal("取消");
        if (string.IsNullOrWhiteSpace(reason)) return Outcome<HomeCareOrder>.Reject("HOMECARE_REASON_REQUIRED", "请说明取消原因", "reason");
        return Outcome<HomeCareOrder>.Accept(this with { Status = HomeCareOrderStatus.Cancelled, CancelReason = reason });
    }

    /// <summary>The six EVV elements, once checked out (EVV_INCOMPLETE before). Location is the check-in position; date the China date of check-in.</summary>
    public Outcome<EvvRecord> Evv()
    {
        if (CheckIn is not { } i || CheckOut is not { } o || ProviderId is null)
            return Outcome<EvvRecord>.Reject("EVV_INCOMPLETE", "服务尚未完成签到和签退，电子核验记录不完整", null);
        return Outcome<EvvRecord>.Accept(new EvvRecord(Service, ElderId, ChinaTime.DateOf(i.At), i.Position, ProviderId, i.At, o.At));
    }

    Outcome<HomeCareOrder> Illegal(string action) =>
        Outcome<HomeCareOrder>.Reject("HOMECARE_INVALID_TRANSITION", $"工单当前状态为{Status.ChineseName()}，不能{action}", null);
}

/// <summary>One billed visit, in yuan. <c>Amount = Subsidy + ElderPays</c>.</summary>
/// <param name="BudgetHours">The elder's monthly subsidised hours (0 when the budget is not active on the visit date).</param>
/// <param name="RemainingHoursAfter">Subsidised hours left this month after this visit.</param>
public sealed record HomeCareBillingLine(
    string OrderId, string ElderId, HomeCareServiceType Service, DateOnly VisitDate, decimal BillableHours, decimal HourlyPrice,
    decimal Amount, decimal SubsidisedHours, decimal Subsidy, decimal ElderPays, decimal BudgetHours, decimal RemainingHoursAfter);

public static class HomeCareBilling
{
    /// <summary>
    /// Billable hours from the visit's length, in quarter hours by the "8-minute rule" (as in CMS time-based billing):
    /// whole minutes are counted (seconds dropped); every full 15 minutes is 0.25 h, and a remainder of 8 minutes or more
    /// is another 0.25 h. So 52 min → 0.75 h, 53 min → 1.00 h, 7 min → 0 h.
    /// </summary>
    public static decimal BillableHours(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), "The duration must not be negative.");
        var minutes = (long)duration.TotalMinutes;
        var quarters = minutes / 15 + (minutes % 15 >= 8 ? 1 : 0);
        return quarters * 0.25m;
    }

    /// <summary>
    /// Bills a confirmed order (HOMECARE_NOT_CONFIRMED otherwise): amount = billable hours × hourly price; hours are
    /// subsidised up to what is left of the month's budget (<paramref name="subsidisedHoursUsedThisMonth"/> already used),
    /// the rest is paid by the elder. No budget when the home-care budget enrolment is not active on the visit date
    /// (not enrolled, ended); a visit after the day of death is refused (ELDER_DECEASED).
    /// </summary>
    public static Outcome<HomeCareBillingLine> Bill(HomeCareOrder order, Elder elder, Enrolment? budgetEnrolment, decimal subsidisedHoursUsedThisMonth, HomeCareCatalogue? catalogue = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(elder);
        if (subsidisedHoursUsedThisMonth < 0) throw new ArgumentOutOfRangeException(nameof(subsidisedHoursUsedThisMonth));
        var c = catalogue ?? HomeCareCatalogue.Default;
        if (order.Status != HomeCareOrderStatus.Confirmed)
            return Outcome<HomeCareBillingLine>.Reject("HOMECARE_NOT_CONFIRMED", "服务未经老人或亲属确认，不能结算", null);
        var evv = order.Evv().Value;
        if (elder.Id != order.ElderId) return Outcome<HomeCareBillingLine>.Reject("EVV_WRONG_RECIPIENT", "服务对象与工单不符", "elderId");
        var active = ServiceLifecycle.Check(budgetEnrolment?.ElderId == elder.Id ? budgetEnrolment : null, elder.DiedOn, evv.Date, ElderCareService.HomeCareBudget);
        if (active.Rejection is { Code: "ELDER_DECEASED" }) return Outcome<HomeCareBillingLine>.Reject(active.Rejections);
        if (!c.HourlyPrices.TryGetValue(order.Service, out var price))
            return Outcome<HomeCareBillingLine>.Reject("HOMECARE_SERVICE_NOT_IN_CATALOGUE", "服务项目不在目录中", "service");
        var hours = BillableHours(evv.End - evv.Start);
        var budget = active.Accepted ? c.MonthlySubsidisedHours.GetValueOrDefault(elder.Category) : 0m;
        var remaining = Math.Max(0m, budget - subsidisedHoursUsedThisMonth);
        var subsidisedHours = Math.Min(hours, remaining);
        var amount = Yuan.Round(hours * price);
        var subsidy = Yuan.Round(subsidisedHours * price);
        return Outcome<HomeCareBillingLine>.Accept(new HomeCareBillingLine(
            order.Id, order.ElderId, order.Service, evv.Date, hours, price, amount, subsidisedHours, subsidy, amount - subsidy, budget, remaining - subsidisedHours));
    }

    /// <summary>Subsidised hours an elder used in the month containing <paramref name="month"/>: the input for the next <see cref="Bill"/>.</summary>
    public static decimal SubsidisedHoursUsed(string elderId, DateOnly month, IEnumerable<HomeCareBillingLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return lines.Where(l => l.ElderId == elderId && l.VisitDate.Year == month.Year && l.VisitDate.Month == month.Month).Sum(l => l.SubsidisedHours);
    }
}
