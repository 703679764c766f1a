using CivilAffairs.Application.Marriage;
using CivilAffairs.Application.Marriage.Bookings;
using CivilAffairs.Domain.Marriage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Tests.Marriage;

/// <summary>The marriage area's decisions that need no storage: how rejections and failed checks are answered, settings, readiness.</summary>
public class MarriageDecisionTests
{
    [Theory]
    [InlineData(RejectionKind.Invalid, 400)]
    [InlineData(RejectionKind.State, 409)]
    [InlineData(RejectionKind.Refused, 422)]
    [InlineData(RejectionKind.NotYours, 403)]
    public void Each_kind_of_rejection_keeps_its_code_and_reason_with_its_status(RejectionKind kind, int status)
    {
        var problem = MarriageProblems.Rejected(new Rejection("SOME_RULE", "某条规则的中文理由。", kind, "field"));
        Assert.Equal(status, problem.Status);
        Assert.Equal("SOME_RULE", problem.Code);
        Assert.Equal("某条规则的中文理由。", problem.Detail);
    }

    [Fact]
    public void Failed_checks_are_one_422_naming_every_reason_with_the_whole_report()
    {
        var report = MarriageLaw.CheckMarriage(new PartyFacts("男方", "440106200601010119", true, false, true, true), new PartyFacts("女方", "440106199701010129", true, true, true, true), true, new DateOnly(2026, 5, 20));
        var problem = MarriageProblems.ChecksFailed(report);
        Assert.Equal(422, problem.Status);
        Assert.Equal("MARRIAGE_CHECKS_FAILED", problem.Code);
        Assert.Contains("未满 22 周岁", problem.Detail);
        Assert.Contains("存续的婚姻", problem.Detail);
        Assert.Same(report.Checks, problem.Extensions!["checks"]);
        var single = MarriageProblems.ChecksFailed(new LegalCheckReport([new LegalCheck(MarriageLaw.PresentCode, false, "未到场。"), new LegalCheck(MarriageLaw.AgeCode, true, "已满。")]));
        Assert.Equal(MarriageLaw.PresentCode, single.Code);
    }

    [Fact]
    public void The_divorce_periods_come_from_settings_and_default_to_the_statutory_30_days()
    {
        MarriageOptions Bind(Dictionary<string, string?> settings)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddOptions<MarriageOptions>().Bind(configuration.GetSection(MarriageOptions.SectionName));
            return services.BuildServiceProvider().GetRequiredService<IOptions<MarriageOptions>>().Value;
        }
        Assert.Equal(DivorceTerms.Statutory, Bind([]).DivorceTerms);
        var shortened = Bind(new() { ["Marriage:Divorce:CoolingOff"] = "00:02:00", ["Marriage:Divorce:AppearanceWindow"] = "00:05:00", ["Marriage:Booking:HorizonDays"] = "7" });
        Assert.Equal(new DivorceTerms(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5)), shortened.DivorceTerms);
        Assert.Equal(7, shortened.BookingTerms.HorizonDays);
        Assert.Equal(DivorceTerms.Statutory.CoolingOff, Bind(new() { ["Marriage:Divorce:CoolingOff"] = "-00:01:00" }).DivorceTerms.CoolingOff);
        Assert.Contains("court-tianhe", MarriageOptions.DemoInstitutions().Keys);
    }

    [Fact]
    public void A_marriage_booking_is_ready_when_both_filled_confirmed_and_gave_a_photo()
    {
        var record = new BookingRecord("01JD0000000000000000000001", "gz-tianhe", ServiceKind.Marriage, new DateOnly(2026, 6, 2), new TimeOnly(9, 0),
            BookingStatus.Booked, 0, DateTimeOffset.UnixEpoch, ["a", "b"]);
        var done = new PartyData("王磊", "x", Filled: true, StatesNoSpouse: true, StatesNoKinship: true, ConfirmedAt: DateTimeOffset.UnixEpoch, Photo: "p.jpg");
        Assert.True(BookingService.IsReady(new StoredBooking(record, [done, done], default)));
        Assert.False(BookingService.IsReady(new StoredBooking(record, [done, done with { Photo = null }], default)));
        Assert.False(BookingService.IsReady(new StoredBooking(record, [done, done with { ConfirmedAt = null }], default)));
        Assert.True(BookingService.IsReady(new StoredBooking(record with { Kind = ServiceKind.Replacement }, [new PartyData("王磊", "x")], default)));
    }
}
