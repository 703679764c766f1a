using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class IncidentTests
{
    readonly ManualClock _clock = new(Fixtures.T0);

    IncidentDeclaration Valid() => new("2026年第7号台风“海鸥”", IncidentType.Typhoon, ResponseLevel.III, Fixtures.Square(), Fixtures.T0.AddHours(-3), "440106", "staff-1");

    [Fact]
    public void Declaration_creates_an_active_incident_stamped_with_the_clock()
    {
        var incident = Incident.Declare("inc-1", Valid() with { Name = "  海鸥台风  " }, _clock).Value;
        Assert.Equal(IncidentStatus.Active, incident.Status);
        Assert.Equal("海鸥台风", incident.Name);
        Assert.Equal(Fixtures.T0, incident.DeclaredAt);
        Assert.Empty(incident.LevelChanges);
        Assert.Null(incident.CheckAcceptsNeeds());
    }

    [Fact]
    public void Declaration_reports_every_problem_with_its_field()
    {
        var outcome = Incident.Declare("inc-1", Valid() with
        {
            Name = " ",
            Type = (IncidentType)42,
            Level = (ResponseLevel)5,
            Area = null,
            StartedAt = Fixtures.T0.AddMinutes(6),
            JurisdictionCode = "44010",
            DeclaredBy = "",
        }, _clock);
        Assert.False(outcome.Accepted);
        Assert.Equal(["name", "type", "level", "area", "startedAt", "jurisdictionCode", "declaredBy"], outcome.Rejections.Select(r => r.Field));
        Assert.All(outcome.Rejections, r => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}", r.Reason));
        Assert.Throws<DisasterRuleException>(() => outcome.Value);
    }

    [Fact]
    public void Start_time_may_be_slightly_ahead_within_the_tolerance()
    {
        Assert.True(Incident.Declare("i", Valid() with { StartedAt = Fixtures.T0.AddMinutes(5) }, _clock).Accepted);
        Assert.False(Incident.Declare("i", Valid() with { StartedAt = Fixtures.T0.AddMinutes(5).AddSeconds(1) }, _clock).Accepted);
        Assert.True(Incident.Declare("i", Valid() with { StartedAt = Fixtures.T0.AddMinutes(30) }, _clock, new IncidentRules(TimeSpan.FromHours(1))).Accepted);
        Assert.Equal("incident.name.too_long", Incident.Declare("i", Valid() with { Name = new string('灾', 101) }, _clock).Rejection!.Code);
    }

    [Fact]
    public void Level_change_is_recorded_with_who_when_and_why()
    {
        var incident = Incident.Declare("inc-1", Valid(), _clock).Value;
        _clock.Advance(TimeSpan.FromHours(1));
        var raised = incident.Update("staff-2", _clock, level: ResponseLevel.II, reason: "转移安置人数超过 10 万").Value;
        Assert.Equal(ResponseLevel.II, raised.Level);
        var change = Assert.Single(raised.LevelChanges);
        Assert.Equal(new LevelChange(ResponseLevel.III, ResponseLevel.II, Fixtures.T0.AddHours(1), "staff-2", "转移安置人数超过 10 万"), change);
        Assert.True(raised.Level.IsHigherThan(ResponseLevel.III));

        var renamed = raised.Update("staff-2", _clock, name: "台风“海鸥”", level: ResponseLevel.II).Value;
        Assert.Single(renamed.LevelChanges); // same level is not a change
        Assert.Equal("台风“海鸥”", renamed.Name);

        Assert.Equal("incident.update.nothing", renamed.Update("staff-2", _clock, level: ResponseLevel.II).Rejection!.Code);
        Assert.Equal("incident.level.invalid", renamed.Update("staff-2", _clock, level: (ResponseLevel)0).Rejection!.Code);
    }

    [Fact]
    public void Close_happens_once_and_a_closed_incident_rejects_changes_and_needs()
    {
        var incident = Incident.Declare("inc-1", Valid(), _clock).Value;
        var closed = incident.Close("staff-3", _clock, "响应终止").Value;
        Assert.Equal(IncidentStatus.Closed, closed.Status);
        Assert.Equal(Fixtures.T0, closed.ClosedAt);
        Assert.Equal("incident.already_closed", closed.Close("staff-3", _clock).Rejection!.Code);
        Assert.Equal("incident.closed", closed.Update("staff-3", _clock, level: ResponseLevel.I).Rejection!.Code);
        Assert.Equal("incident.closed", closed.CheckAcceptsNeeds()!.Code);
        Assert.Equal("已结束", closed.Status.ChineseName());
    }

    [Fact]
    public void Chinese_names_cover_every_value()
    {
        Assert.Equal(["台风", "洪涝", "暴雨", "滑坡/泥石流", "地震", "火灾", "干旱", "其他"], Enum.GetValues<IncidentType>().Select(t => t.ChineseName()));
        Assert.Equal(["Ⅰ级", "Ⅱ级", "Ⅲ级", "Ⅳ级"], Enum.GetValues<ResponseLevel>().Select(l => l.ChineseName()));
        Assert.Equal("Ⅰ级应急响应", ResponseLevel.I.ResponseTitle());
        Assert.True(ResponseLevel.I.IsHigherThan(ResponseLevel.IV));
        Assert.False(ResponseLevel.IV.IsHigherThan(ResponseLevel.IV));
    }

    [Fact]
    public void Delivery_limit_defaults_to_ten_hours_and_is_configurable_per_level()
    {
        var incident = Incident.Declare("inc-1", Valid(), _clock).Value;
        Assert.Equal(TimeSpan.FromHours(10), incident.DeliveryLimit());
        var local = new DeliveryDeadlines(TimeSpan.FromHours(6), TimeSpan.FromHours(8), TimeSpan.FromHours(10), TimeSpan.FromHours(12));
        Assert.Equal(TimeSpan.FromHours(10), incident.DeliveryLimit(local));
        Assert.Equal(TimeSpan.FromHours(6), local.For(ResponseLevel.I));
        Assert.Equal(TimeSpan.FromHours(12), local.For(ResponseLevel.IV));
    }
}
