namespace CivilAffairs.Domain.Elderly;

/// <summary>The services that end when an elder dies.</summary>
public enum ElderCareService
{
    /// <summary>平安通呼叫服务.</summary>
    AlarmService,
    /// <summary>长者饭堂助餐补贴.</summary>
    MealSubsidy,
    /// <summary>居家服务补贴时长.</summary>
    HomeCareBudget,
}

/// <summary>An elder's enrolment in one service: active from <see cref="From"/> through <see cref="Until"/> (inclusive; open-ended when null).</summary>
public sealed record Enrolment(string ElderId, ElderCareService Service, DateOnly From, DateOnly? Until = null);

/// <summary>
/// "Death stops everything": a service is active on a date when the elder is enrolled on that date and
/// has not died before it. The day of death itself is still covered (a meal at noon is paid); every
/// service ends from the next day.
/// </summary>
public static class ServiceLifecycle
{
    public static string ChineseName(this ElderCareService service) => service switch
    {
        ElderCareService.AlarmService => "平安通呼叫服务",
        ElderCareService.MealSubsidy => "助餐补贴",
        ElderCareService.HomeCareBudget => "居家服务补贴",
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    /// <summary>The first date on which nothing is active any more: the day after death.</summary>
    public static DateOnly EndsFrom(DateOnly diedOn) => diedOn.AddDays(1);

    /// <summary>
    /// Is the service active on <paramref name="date"/>? Answers with the date, or ELDER_DECEASED (date after
    /// the death date), SERVICE_NOT_ENROLLED (no enrolment, or before it starts), SERVICE_ENDED (after it ends).
    /// Death is checked first: it is the reason people need to hear.
    /// </summary>
    public static Outcome<DateOnly> Check(Enrolment? enrolment, DateOnly? diedOn, DateOnly date, ElderCareService service)
    {
        if (diedOn is { } died && date >= EndsFrom(died))
            return Outcome<DateOnly>.Reject("ELDER_DECEASED", $"老人已于{died:yyyy-MM-dd}去世，{service.ChineseName()}自{EndsFrom(died):yyyy-MM-dd}起终止", "date");
        if (enrolment is null || enrolment.Service != service || date < enrolment.From)
            return Outcome<DateOnly>.Reject("SERVICE_NOT_ENROLLED", $"{date:yyyy-MM-dd}未开通{service.ChineseName()}", "date");
        if (enrolment.Until is { } until && date > until)
            return Outcome<DateOnly>.Reject("SERVICE_ENDED", $"{service.ChineseName()}已于{until:yyyy-MM-dd}结束", "date");
        return Outcome<DateOnly>.Accept(date);
    }

    public static bool IsActive(Enrolment? enrolment, DateOnly? diedOn, DateOnly date, ElderCareService service) =>
        Check(enrolment, diedOn, date, service).Accepted;

    /// <summary>
    /// The enrolments closed at the death date (Until = death date unless they already ended earlier), for
    /// the application to store when a death is recorded.
    /// </summary>
    public static IReadOnlyList<Enrolment> EndAtDeath(IEnumerable<Enrolment> enrolments, DateOnly diedOn)
    {
        ArgumentNullException.ThrowIfNull(enrolments);
        return enrolments.Select(e => e.Until is { } u && u <= diedOn ? e : e with { Until = diedOn }).ToList();
    }
}
