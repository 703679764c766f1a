using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Elderly;

/// <summary>Meal subsidy tiers (助餐补贴档次).</summary>
public enum SubsidyTier
{
    /// <summary>一档: 特困、低保.</summary>
    Tier1 = 1,
    /// <summary>二档: 低收入、80岁以上.</summary>
    Tier2 = 2,
    /// <summary>三档: 60–79岁.</summary>
    Tier3 = 3,
}

/// <summary>
/// The meal-subsidy rule (demo assumptions, see the README): tier 1 11 yuan, tier 2 9 yuan, tier 3 7 yuan per meal;
/// <see cref="CityShare"/> of each subsidy is paid by the city, the rest by the elder's district (default 50 % / 50 %).
/// </summary>
public sealed record MealSubsidyPolicy(decimal Tier1Subsidy, decimal Tier2Subsidy, decimal Tier3Subsidy, decimal CityShare)
{
    public static readonly MealSubsidyPolicy Default = new(11.00m, 9.00m, 7.00m, 0.50m);

    /// <summary>The standard menu price when a meal point sets none: 12 yuan.</summary>
    public const decimal DefaultMenuPrice = 12.00m;

    public static SubsidyTier TierOf(ElderCategory category) => category switch
    {
        ElderCategory.Destitute or ElderCategory.MinimumLiving => SubsidyTier.Tier1,
        ElderCategory.LowIncome or ElderCategory.Aged80Plus => SubsidyTier.Tier2,
        ElderCategory.Aged60To79 => SubsidyTier.Tier3,
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public decimal SubsidyFor(SubsidyTier tier) => tier switch
    {
        SubsidyTier.Tier1 => Tier1Subsidy,
        SubsidyTier.Tier2 => Tier2Subsidy,
        SubsidyTier.Tier3 => Tier3Subsidy,
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };
}

/// <summary>A meal point (长者饭堂) and its menu price for the subsidised meal.</summary>
public sealed record MealPoint(string Id, string Name, string DistrictCode, decimal MenuPrice = MealSubsidyPolicy.DefaultMenuPrice);

/// <summary>What one meal costs whom, in yuan (two decimals). <c>Price = CityPays + DistrictPays + ElderPays</c>.</summary>
/// <param name="OutOfDistrict">Eaten outside the elder's district: the district share is not paid.</param>
public sealed record MealQuote(SubsidyTier Tier, decimal Price, decimal Subsidy, decimal CityPays, decimal DistrictPays, decimal ElderPays, bool OutOfDistrict);

/// <summary>A meal served, as recorded at the till; <see cref="ReceiptId"/> makes recording idempotent.</summary>
public sealed record MealTransaction(
    string ReceiptId, string ElderId, string ElderDistrictCode, string MealPointId, string MealPointDistrictCode,
    DateTimeOffset ServedAt, DateOnly Date, MealQuote Quote);

public enum MealRecordingKind
{
    /// <summary>New receipt: store the transaction.</summary>
    Recorded,
    /// <summary>Receipt already recorded with the same content: store nothing, count nothing.</summary>
    Duplicate,
}

public sealed record MealRecording(MealRecordingKind Kind, MealTransaction Transaction);

/// <summary>One meal point's day (日结).</summary>
public sealed record MealDailySettlement(string MealPointId, DateOnly Date, int Meals, decimal PriceTotal, decimal ElderPaid, decimal CityPays, decimal DistrictPays);

/// <summary>
/// What a district owes for a month (月度对账): the district shares of meals its own elders ate at its own points.
/// Its elders' meals elsewhere in the city are counted for information (city share only, the district owes nothing).
/// </summary>
public sealed record DistrictMealReconciliation(string DistrictCode, DateOnly Month, int Meals, decimal DistrictOwes, decimal CityPays, int MealsOutsideDistrict, decimal CityPaysOutsideDistrict);

/// <summary>长者饭堂 meal subsidy rules.</summary>
public static class MealSubsidy
{
    /// <summary>
    /// Prices one meal. Subsidy = the tier's amount, never more than the price; split city / district by
    /// <see cref="MealSubsidyPolicy.CityShare"/> (city share rounded to fen, the district gets the rest). Outside the elder's
    /// own district the district share is dropped: only the city share is paid and the elder pays the rest.
    /// </summary>
    public static MealQuote Quote(Elder elder, MealPoint point, MealSubsidyPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(point);
        var p = policy ?? MealSubsidyPolicy.Default;
        if (p.CityShare is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(policy), "The city share must be in [0, 1].");
        var tier = MealSubsidyPolicy.TierOf(elder.Category);
        var price = Yuan.Round(point.MenuPrice);
        var full = Math.Min(Yuan.Round(p.SubsidyFor(tier)), price);
        var city = Yuan.Round(full * p.CityShare);
        var outside = point.DistrictCode != elder.DistrictCode;
        var district = outside ? 0m : full - city;
        var subsidy = city + district;
        return new MealQuote(tier, price, subsidy, city, district, price - subsidy, outside);
    }

    /// <summary>
    /// Records a meal, idempotent per receipt id: a receipt id already in <paramref name="recorded"/> answers
    /// <see cref="MealRecordingKind.Duplicate"/> with the stored transaction (counted once), or MEAL_RECEIPT_CONFLICT when the
    /// same receipt id comes with another elder or meal point. Rejected: meals after the day of death (ELDER_DECEASED), without
    /// an active meal-subsidy enrolment (SERVICE_NOT_ENROLLED / SERVICE_ENDED), a price not above zero (MEAL_PRICE_INVALID),
    /// no receipt id (MEAL_RECEIPT_REQUIRED), or served more than 5 minutes in the future (MEAL_SERVED_IN_FUTURE).
    /// The date is the China date of <paramref name="servedAt"/>.
    /// </summary>
    public static Outcome<MealRecording> Record(
        string receiptId, Elder elder, Enrolment? mealEnrolment, MealPoint point, DateTimeOffset servedAt,
        IReadOnlyCollection<MealTransaction> recorded, TimeProvider clock, MealSubsidyPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(clock);
        if (string.IsNullOrWhiteSpace(receiptId)) return Outcome<MealRecording>.Reject("MEAL_RECEIPT_REQUIRED", "缺少小票编号", "receiptId");
        if (recorded.FirstOrDefault(t => t.ReceiptId == receiptId) is { } seen)
            return seen.ElderId == elder.Id && seen.MealPointId == point.Id
                ? Outcome<MealRecording>.Accept(new MealRecording(MealRecordingKind.Duplicate, seen))
                : Outcome<MealRecording>.Reject("MEAL_RECEIPT_CONFLICT", $"小票{receiptId}已用于另一笔就餐记录", "receiptId");
        if (servedAt > clock.GetUtcNow().AddMinutes(5)) return Outcome<MealRecording>.Reject("MEAL_SERVED_IN_FUTURE", "就餐时间不能晚于当前时间", "servedAt");
        if (point.MenuPrice <= 0) return Outcome<MealRecording>.Reject("MEAL_PRICE_INVALID", "餐标价格必须大于0元", "menuPrice");
        var date = ChinaTime.DateOf(servedAt);
        var active = ServiceLifecycle.Check(mealEnrolment?.ElderId == elder.Id ? mealEnrolment : null, elder.DiedOn, date, ElderCareService.MealSubsidy);
        if (!active.Accepted) return Outcome<MealRecording>.Reject(active.Rejections);
        var quote = Quote(elder, point, policy);
        return Outcome<MealRecording>.Accept(new MealRecording(MealRecordingKind.Recorded,
            new MealTransaction(receiptId, elder.Id, elder.DistrictCode, point.Id, point.DistrictCode, servedAt, date, quote)));
    }

    /// <summary>Daily settlement per meal point (sums per point and date), ordered by point then date. Duplicate receipt ids are counted once.</summary>
    public static IReadOnlyList<MealDailySettlement> DailySettlements(IEnumerable<MealTransaction> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        return Distinct(transactions)
            .GroupBy(t => (t.MealPointId, t.Date))
            .OrderBy(g => g.Key.MealPointId, StringComparer.Ordinal).ThenBy(g => g.Key.Date)
            .Select(g => new MealDailySettlement(g.Key.MealPointId, g.Key.Date, g.Count(),
                g.Sum(t => t.Quote.Price), g.Sum(t => t.Quote.ElderPays), g.Sum(t => t.Quote.CityPays), g.Sum(t => t.Quote.DistrictPays)))
            .ToList();
    }

    /// <summary>
    /// Monthly reconciliation of one district: its own elders' meals at its own points (district share owed, city share),
    /// and its elders' meals at other districts' points (city share only). <paramref name="month"/> is any day of the month.
    /// </summary>
    public static DistrictMealReconciliation Reconcile(string districtCode, DateOnly month, IEnumerable<MealTransaction> transactions)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(districtCode);
        ArgumentNullException.ThrowIfNull(transactions);
        var first = new DateOnly(month.Year, month.Month, 1);
        var ofMonth = Distinct(transactions).Where(t => t.ElderDistrictCode == districtCode && t.Date.Year == first.Year && t.Date.Month == first.Month).ToList();
        var own = ofMonth.Where(t => t.MealPointDistrictCode == districtCode).ToList();
        var outside = ofMonth.Where(t => t.MealPointDistrictCode != districtCode).ToList();
        return new DistrictMealReconciliation(districtCode, first, own.Count, own.Sum(t => t.Quote.DistrictPays), own.Sum(t => t.Quote.CityPays),
            outside.Count, outside.Sum(t => t.Quote.CityPays));
    }

    static IEnumerable<MealTransaction> Distinct(IEnumerable<MealTransaction> transactions) =>
        transactions.DistinctBy(t => t.ReceiptId);
}
