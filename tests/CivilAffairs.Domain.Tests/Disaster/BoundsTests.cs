using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

/// <summary>Domain bounds on need reports and incident declarations (issue 11, findings 6 and 9).</summary>
public class BoundsTests
{
    readonly ManualClock _clock = new(Fixtures.T0);
    readonly Incident _incident;

    public BoundsTests() => _incident = Fixtures.Incident(_clock); // started two hours before T0

    NeedReport Report(decimal quantity = 30, DateTimeOffset? at = null) =>
        new("r1", _incident.Id, NeedCategory.Water, quantity, "箱", Urgency.High, Fixtures.Near(), ReporterKind.GridWorker, at ?? Fixtures.T0, []);

    string[] Codes(NeedReport report) => NeedIntake.Check(_incident, report, _clock).Select(r => r.Code).ToArray();

    [Theory]
    [InlineData("1000000")]
    [InlineData("0.001")]
    [InlineData("12.125")]
    public void Quantities_up_to_a_million_with_three_decimals_are_taken(string quantity) =>
        Assert.Empty(Codes(Report(decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture))));

    [Theory]
    [InlineData("1000000.001")]
    [InlineData("0.0001")]
    [InlineData("79228162514264337593543950335")]
    public void Larger_or_finer_quantities_are_refused(string quantity)
    {
        var report = Report(decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(["need.quantity.out_of_range"], Codes(report));
        Assert.Equal("need.quantity.out_of_range", NeedIntake.Accept(_incident, report, [], "n", _clock).Rejection!.Code);
    }

    [Fact]
    public void A_report_time_may_be_up_to_a_day_before_the_incident_started_and_not_in_the_future()
    {
        var started = _incident.StartedAt;
        Assert.Empty(Codes(Report(at: started - TimeSpan.FromDays(1))));
        Assert.Equal(["need.time.before_incident"], Codes(Report(at: started - TimeSpan.FromDays(1) - TimeSpan.FromSeconds(1))));
        Assert.Equal(["need.time.before_incident"], Codes(Report(at: DateTimeOffset.MinValue)));
        Assert.Equal(["need.time.future"], Codes(Report(at: DateTimeOffset.MaxValue)));
    }

    IncidentDeclaration Declaration(DateTimeOffset startedAt) =>
        new("天河区暴雨", IncidentType.Rainstorm, ResponseLevel.III, Fixtures.Square(), startedAt, "440106", "staff-1");

    [Fact]
    public void An_incident_starts_within_the_past_year()
    {
        Assert.True(Incident.Declare("i", Declaration(Fixtures.T0 - TimeSpan.FromDays(366)), _clock).Accepted);
        foreach (var old in new[] { Fixtures.T0 - TimeSpan.FromDays(366) - TimeSpan.FromSeconds(1), DateTimeOffset.MinValue })
        {
            var outcome = Incident.Declare("i", Declaration(old), _clock);
            Assert.False(outcome.Accepted);
            Assert.Equal(("incident.start.too_old", "startedAt"), (outcome.Rejection!.Code, outcome.Rejection.Field));
        }
        Assert.Equal("incident.start.future", Incident.Declare("i", Declaration(DateTimeOffset.MaxValue), _clock).Rejection!.Code);
    }
}
