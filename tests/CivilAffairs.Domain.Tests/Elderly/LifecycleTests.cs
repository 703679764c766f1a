using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Domain.Tests.Elderly;

public class LifecycleTests
{
    static readonly DateOnly Died = new(2026, 7, 20);

    [Theory]
    [InlineData(ElderCareService.AlarmService)]
    [InlineData(ElderCareService.MealSubsidy)]
    [InlineData(ElderCareService.HomeCareBudget)]
    public void Every_service_ends_from_the_day_after_death(ElderCareService service)
    {
        var enrolment = new Enrolment("elder-1", service, new DateOnly(2025, 1, 1));
        Assert.True(ServiceLifecycle.IsActive(enrolment, Died, Died, service));
        var after = ServiceLifecycle.Check(enrolment, Died, Died.AddDays(1), service);
        Assert.Equal("ELDER_DECEASED", after.Rejection!.Code);
        Assert.Equal(new DateOnly(2026, 7, 21), ServiceLifecycle.EndsFrom(Died));
    }

    [Fact]
    public void Active_only_within_the_enrolment()
    {
        var enrolment = new Enrolment("elder-1", ElderCareService.MealSubsidy, new DateOnly(2026, 3, 1), new DateOnly(2026, 6, 30));
        Assert.Equal("SERVICE_NOT_ENROLLED", ServiceLifecycle.Check(enrolment, null, new DateOnly(2026, 2, 28), ElderCareService.MealSubsidy).Rejection!.Code);
        Assert.True(ServiceLifecycle.IsActive(enrolment, null, new DateOnly(2026, 3, 1), ElderCareService.MealSubsidy));
        Assert.True(ServiceLifecycle.IsActive(enrolment, null, new DateOnly(2026, 6, 30), ElderCareService.MealSubsidy));
        Assert.Equal("SERVICE_ENDED", ServiceLifecycle.Check(enrolment, null, new DateOnly(2026, 7, 1), ElderCareService.MealSubsidy).Rejection!.Code);
        Assert.Equal("SERVICE_NOT_ENROLLED", ServiceLifecycle.Check(enrolment, null, new DateOnly(2026, 4, 1), ElderCareService.HomeCareBudget).Rejection!.Code);
        Assert.Equal("SERVICE_NOT_ENROLLED", ServiceLifecycle.Check(null, null, new DateOnly(2026, 4, 1), ElderCareService.HomeCareBudget).Rejection!.Code);
    }

    [Fact]
    public void Death_is_the_reason_given_even_when_the_enrolment_ended_too()
    {
        var ended = new Enrolment("elder-1", ElderCareService.AlarmService, new DateOnly(2025, 1, 1), new DateOnly(2026, 7, 1));
        Assert.Equal("ELDER_DECEASED", ServiceLifecycle.Check(ended, Died, Died.AddDays(3), ElderCareService.AlarmService).Rejection!.Code);
    }

    [Fact]
    public void Recording_a_death_closes_open_enrolments_at_the_death_date()
    {
        var closed = ServiceLifecycle.EndAtDeath(
        [
            new Enrolment("elder-1", ElderCareService.AlarmService, new DateOnly(2025, 1, 1)),
            new Enrolment("elder-1", ElderCareService.MealSubsidy, new DateOnly(2025, 1, 1), new DateOnly(2026, 12, 31)),
            new Enrolment("elder-1", ElderCareService.HomeCareBudget, new DateOnly(2025, 1, 1), new DateOnly(2026, 5, 31)),
        ], Died);
        Assert.Equal([Died, Died, new DateOnly(2026, 5, 31)], closed.Select(e => e.Until));
    }
}
