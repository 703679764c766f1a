using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

/// <summary>Which field team a dispatch goes to: covering the incident's jurisdiction, nearest, with capacity first.</summary>
public class TeamTests
{
    static readonly GeoPoint Need = new(23.135, 113.335);

    static ReliefTeam Team(string id, string jurisdiction, double northKm, int capacity = 3, bool active = true, params string[] members) => new()
    {
        Id = id, Name = id + "队", Jurisdiction = jurisdiction, Base = new GeoPoint(Need.Latitude + northKm / 111.2, Need.Longitude),
        Members = members.Length > 0 ? members : ["member-" + id], Capacity = capacity, Active = active,
    };

    static readonly Dictionary<string, int> None = [];

    [Fact]
    public void A_district_incident_goes_to_the_nearest_street_team_inside_the_district()
    {
        var teams = new[] { Team("shipai", "440106008", 2), Team("wushan", "440106005", 0.5), Team("beijing", "440104002", 0.1), Team("city", "440100", 30) };
        var choice = TeamAssignment.Choose(teams, Need, "440106", None).Value;
        Assert.Equal("wushan", choice.Team.Id);          // Yuexiu's team is nearer but does not cover Tianhe
        Assert.InRange(choice.DistanceMetres, 495, 505);
        Assert.Contains("最近的可用队伍", choice.Reason);
    }

    [Fact]
    public void A_street_incident_may_go_to_a_district_team_above_it_but_not_to_another_street()
    {
        var teams = new[] { Team("wushan", "440106005", 0.1), Team("tianhe", "440106", 5) };
        Assert.Equal("tianhe", TeamAssignment.Choose(teams, Need, "440106008", None).Value.Team.Id);
    }

    [Fact]
    public void Full_or_stood_down_teams_are_passed_over_and_when_every_team_is_full_the_nearest_still_gets_it()
    {
        var teams = new[] { Team("near", "440106008", 1, capacity: 2), Team("mid", "440106008", 3, active: false), Team("far", "440106005", 6) };
        Assert.Equal("far", TeamAssignment.Choose(teams, Need, "440106", new Dictionary<string, int> { ["near"] = 2 }).Value.Team.Id);
        var full = TeamAssignment.Choose(teams, Need, "440106", new Dictionary<string, int> { ["near"] = 2, ["far"] = 3 }).Value;
        Assert.Equal("near", full.Team.Id);
        Assert.Contains("满负荷", full.Reason);
    }

    [Fact]
    public void No_covering_team_is_a_rejection_for_staff_to_assign_by_hand()
    {
        var outcome = TeamAssignment.Choose([Team("beijing", "440104002", 0.1), Team("idle", "440106008", 1, active: false)], Need, "440106", None);
        Assert.Equal("dispatch.team.none", outcome.Rejection!.Code);
    }

    [Theory]
    [InlineData("", "440106008", 3, "team.name.invalid")]
    [InlineData("石牌队", "4401", 3, "team.jurisdiction.invalid")]
    [InlineData("石牌队", "440106008", 0, "team.capacity.invalid")]
    public void Registration_checks_name_division_and_capacity(string name, string jurisdiction, int capacity, string code) =>
        Assert.Equal(code, Assert.Single(ReliefTeam.Validate(name, jurisdiction, ["a"], capacity)).Code);

    [Fact]
    public void Members_are_one_to_fifty_distinct_accounts()
    {
        Assert.Equal("team.members.invalid", Assert.Single(ReliefTeam.Validate("队", "440106008", [], null)).Code);
        Assert.Equal("team.members.duplicate", Assert.Single(ReliefTeam.Validate("队", "440106008", ["a", "a"], null)).Code);
        Assert.Empty(ReliefTeam.Validate("队", "440106008", ["a", "b"], null));
    }
}
