using CivilAffairs.Domain.Platform;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Domain.Elderly;

/// <summary>
/// The elder's category for subsidies (补贴对象类别). Economic categories come first: an elder who is
/// both 低保 and over 80 is registered as 低保 (the category that gives the most).
/// </summary>
public enum ElderCategory
{
    /// <summary>特困供养人员.</summary>
    Destitute,
    /// <summary>低保对象.</summary>
    MinimumLiving,
    /// <summary>低收入（低保边缘）对象.</summary>
    LowIncome,
    /// <summary>80岁以上（不属于上述经济困难类别）.</summary>
    Aged80Plus,
    /// <summary>60–79岁（不属于上述经济困难类别）.</summary>
    Aged60To79,
}

/// <summary>Who a named contact is to the elder.</summary>
public enum ContactRole
{
    /// <summary>亲属.</summary>
    Relative,
    /// <summary>社区工作人员.</summary>
    CommunityWorker,
}

public static class ElderNames
{
    public static string ChineseName(this ElderCategory category) => category switch
    {
        ElderCategory.Destitute => "特困",
        ElderCategory.MinimumLiving => "低保",
        ElderCategory.LowIncome => "低收入",
        ElderCategory.Aged80Plus => "80岁以上",
        ElderCategory.Aged60To79 => "60–79岁",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    public static string ChineseName(this ContactRole role) => role switch
    {
        ContactRole.Relative => "亲属",
        ContactRole.CommunityWorker => "社区工作人员",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };
}

/// <summary>
/// A named contact who may be told about the elder's alarms. <see cref="Consented"/> and
/// <see cref="ConsentedAt"/> record the contact's consent to be notified (个人信息处理同意, PIPL art. 13/14);
/// without it the contact must not be notified (<see cref="ElderRules.CheckNotifiable"/>).
/// </summary>
public sealed record ElderContact(string Id, string Name, ContactRole Role, string Phone, bool Consented, DateTimeOffset? ConsentedAt);

/// <summary>An elder enrolled in the city's elderly-care services. Immutable.</summary>
public sealed record Elder
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required DateOnly BirthDate { get; init; }
    public required ElderCategory Category { get; init; }
    /// <summary>独居.</summary>
    public required bool LivesAlone { get; init; }
    /// <summary>Community (社区) name or code.</summary>
    public required string Community { get; init; }
    /// <summary>Six-digit administrative code of the district of residence (e.g. 440106 天河区).</summary>
    public required string DistrictCode { get; init; }
    /// <summary>Home position (WGS-84), used to check home-care visit check-ins.</summary>
    public GeoPoint? Home { get; init; }
    public IReadOnlyList<ElderContact> Contacts { get; init; } = [];
    /// <summary>Date of death (China date) when recorded; services end from the next day.</summary>
    public DateOnly? DiedOn { get; init; }

    public int AgeOn(DateOnly date) => ElderRules.AgeOn(BirthDate, date);
}

/// <summary>Rules about elders and their contacts.</summary>
public static class ElderRules
{
    /// <summary>The age at which a person counts as an elder (《老年人权益保障法》第二条：六十周岁以上).</summary>
    public const int SeniorAge = 60;

    /// <summary>
    /// Completed years of age on <paramref name="date"/>. Someone born on 29 February has their
    /// birthday on 1 March in common years (the day after 28 February).
    /// </summary>
    public static int AgeOn(DateOnly birthDate, DateOnly date)
    {
        var age = date.Year - birthDate.Year;
        var birthdayThisYear = birthDate.Month == 2 && birthDate.Day == 29 && !DateTime.IsLeapYear(date.Year)
            ? new DateOnly(date.Year, 3, 1)
            : new DateOnly(date.Year, birthDate.Month, birthDate.Day);
        if (date < birthdayThisYear) age--;
        return age;
    }

    /// <summary>True when the person is 60 or older today (China date).</summary>
    public static bool IsSenior(DateOnly birthDate, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return AgeOn(birthDate, ChinaTime.Today(clock)) >= SeniorAge;
    }

    /// <summary>
    /// Checks a new or changed elder record: aged 60 or over today (ELDER_UNDER_60), a category that
    /// matches the age (ELDER_CATEGORY_AGE_MISMATCH: 80岁以上 needs 80+, 60–79岁 needs 60–79), a
    /// six-digit district code (ELDER_DISTRICT_INVALID), a community, a name, and consent times on
    /// consenting contacts (CONTACT_CONSENT_TIME_REQUIRED).
    /// </summary>
    public static Outcome<Elder> Validate(Elder elder, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(clock);
        var problems = new List<Rejection>();
        var today = ChinaTime.Today(clock);
        var age = elder.AgeOn(today);
        if (elder.BirthDate > today) problems.Add(new("ELDER_BIRTH_DATE_IN_FUTURE", "出生日期不能晚于今天", "birthDate"));
        else if (age < SeniorAge) problems.Add(new("ELDER_UNDER_60", $"未满60周岁（现年{age}岁），不属于老年人服务对象", "birthDate"));
        else if (elder.Category == ElderCategory.Aged80Plus && age < 80)
            problems.Add(new("ELDER_CATEGORY_AGE_MISMATCH", $"现年{age}岁，不能登记为“80岁以上”类别", "category"));
        else if (elder.Category == ElderCategory.Aged60To79 && age >= 80)
            problems.Add(new("ELDER_CATEGORY_AGE_MISMATCH", $"现年{age}岁，应登记为“80岁以上”类别", "category"));
        if (string.IsNullOrWhiteSpace(elder.Name)) problems.Add(new("ELDER_NAME_REQUIRED", "请填写老人姓名", "name"));
        if (string.IsNullOrWhiteSpace(elder.Community)) problems.Add(new("ELDER_COMMUNITY_REQUIRED", "请填写所属社区", "community"));
        if (elder.DistrictCode is not { Length: 6 } || !elder.DistrictCode.All(char.IsAsciiDigit))
            problems.Add(new("ELDER_DISTRICT_INVALID", "区行政区划代码应为6位数字", "districtCode"));
        foreach (var c in elder.Contacts.Where(c => c.Consented && c.ConsentedAt is null))
            problems.Add(new("CONTACT_CONSENT_TIME_REQUIRED", $"联系人{c.Name}已同意接收通知，但缺少同意时间", "contacts"));
        return problems.Count > 0 ? Outcome<Elder>.Reject(problems) : Outcome<Elder>.Accept(elder);
    }

    /// <summary>
    /// May this contact be notified at <paramref name="at"/>? Only with consent given at or before that
    /// instant; otherwise CONTACT_WITHOUT_CONSENT.
    /// </summary>
    public static Outcome<ElderContact> CheckNotifiable(ElderContact contact, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(contact);
        if (!contact.Consented || contact.ConsentedAt is not { } consentedAt || consentedAt > at)
            return Outcome<ElderContact>.Reject("CONTACT_WITHOUT_CONSENT", $"联系人{contact.Name}（{contact.Role.ChineseName()}）未同意接收通知，不能通知", "contactId");
        return Outcome<ElderContact>.Accept(contact);
    }

    /// <summary>The contacts that may be notified at <paramref name="at"/>, relatives first, in registration order.</summary>
    public static IReadOnlyList<ElderContact> NotifiableContacts(Elder elder, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(elder);
        return elder.Contacts.Where(c => CheckNotifiable(c, at).Accepted).OrderBy(c => c.Role == ContactRole.Relative ? 0 : 1).ToList();
    }

    /// <summary>
    /// Records the date of death (China date). Rejected: a date in the future (DEATH_DATE_IN_FUTURE),
    /// before birth (DEATH_DATE_BEFORE_BIRTH), or a different date already recorded
    /// (DEATH_ALREADY_RECORDED; recording the same date again is accepted unchanged).
    /// </summary>
    public static Outcome<Elder> RecordDeath(Elder elder, DateOnly diedOn, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(elder);
        ArgumentNullException.ThrowIfNull(clock);
        if (diedOn > ChinaTime.Today(clock)) return Outcome<Elder>.Reject("DEATH_DATE_IN_FUTURE", "死亡日期不能晚于今天", "diedOn");
        if (diedOn < elder.BirthDate) return Outcome<Elder>.Reject("DEATH_DATE_BEFORE_BIRTH", "死亡日期不能早于出生日期", "diedOn");
        if (elder.DiedOn is { } recorded)
            return recorded == diedOn
                ? Outcome<Elder>.Accept(elder)
                : Outcome<Elder>.Reject("DEATH_ALREADY_RECORDED", $"已登记死亡日期为{recorded:yyyy-MM-dd}，不能改为{diedOn:yyyy-MM-dd}", "diedOn");
        return Outcome<Elder>.Accept(elder with { DiedOn = diedOn });
    }
}
