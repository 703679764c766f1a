using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Disaster;

/// <summary>
/// A relief field team (救灾队伍): the people who pick up relief goods at a warehouse and deliver them. Based at a position,
/// responsible for a division (a street, or a district for a district-level team), with member accounts; only active teams
/// are given tasks, at most <see cref="Capacity"/> open ones at a time before others are preferred.
/// </summary>
public sealed record ReliefTeam
{
    public const int MaxMembers = 50;
    public const int DefaultCapacity = 3;

    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Jurisdiction { get; init; }
    public required GeoPoint Base { get; init; }
    public required IReadOnlyList<string> Members { get; init; }
    public int Capacity { get; init; } = DefaultCapacity;
    public bool Active { get; init; } = true;

    public bool HasMember(string subject) => Members.Contains(subject, StringComparer.Ordinal);

    /// <summary>Checks a team as registered or changed by staff: name, division, members (1–50, no duplicates), capacity (1–20).</summary>
    public static IReadOnlyList<Rejection> Validate(string? name, string? jurisdiction, IReadOnlyList<string>? members, int? capacity)
    {
        var problems = new List<Rejection>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 50) problems.Add(new("team.name.invalid", "队伍名称须为 1 到 50 个字", "name"));
        if (!Platform.Jurisdiction.IsWellFormed(jurisdiction)) problems.Add(new("team.jurisdiction.invalid", "请填写队伍负责的行政区划代码（6、9 或 12 位数字）", "jurisdiction"));
        if (members is not { Count: > 0 and <= MaxMembers }) problems.Add(new("team.members.invalid", $"请列出 1 到 {MaxMembers} 名队员的账号", "members"));
        else if (members.Any(m => string.IsNullOrWhiteSpace(m) || m.Length > 128)) problems.Add(new("team.members.invalid", "队员账号不能为空或超过 128 个字符", "members"));
        else if (members.Distinct(StringComparer.Ordinal).Count() != members.Count) problems.Add(new("team.members.duplicate", "队员账号不能重复", "members"));
        if (capacity is < 1 or > 20) problems.Add(new("team.capacity.invalid", "同时承担的任务数须为 1 到 20", "capacity"));
        return problems;
    }
}

/// <summary>Which team a dispatch went to and why (kept with the dispatch and shown to staff).</summary>
public sealed record TeamChoice(ReliefTeam Team, double DistanceMetres, int OpenTasks, string Reason);

/// <summary>
/// Chooses the field team for a dispatch: among the active teams with members whose division lies inside the incident's
/// jurisdiction or contains it (a street team works its district's incident; a district team works a street's), the
/// nearest by base position to the need that still has capacity; when every such team is at capacity, the nearest one
/// anyway (the reason says so). No such team: a rejection, and staff assign by hand.
/// </summary>
public static class TeamAssignment
{
    public static Outcome<TeamChoice> Choose(IEnumerable<ReliefTeam> teams, GeoPoint destination, string incidentJurisdiction,
        IReadOnlyDictionary<string, int> openTasks)
    {
        ArgumentNullException.ThrowIfNull(teams);
        ArgumentNullException.ThrowIfNull(openTasks);
        var covering = teams
            .Where(t => t.Active && t.Members.Count > 0 && Covers(t, incidentJurisdiction))
            .Select(t => (Team: t, Distance: t.Base.DistanceTo(destination), Open: openTasks.GetValueOrDefault(t.Id)))
            .OrderBy(x => Math.Round(x.Distance, MidpointRounding.AwayFromZero))
            .ThenBy(x => x.Team.Id, StringComparer.Ordinal)
            .ToList();
        if (covering.Count == 0)
            return Outcome<TeamChoice>.Reject("dispatch.team.none", "事件辖区内没有可派的救灾队伍，请工作人员指派", "team");
        var available = covering.FirstOrDefault(x => x.Open < x.Team.Capacity);
        if (available.Team is not null)
            return Outcome<TeamChoice>.Accept(new TeamChoice(available.Team, available.Distance, available.Open,
                $"{available.Team.Name}：距需求 {Km(available.Distance)} 公里，当前任务 {available.Open}/{available.Team.Capacity}，为辖区内最近的可用队伍"));
        var nearest = covering[0];
        return Outcome<TeamChoice>.Accept(new TeamChoice(nearest.Team, nearest.Distance, nearest.Open,
            $"{nearest.Team.Name}：距需求 {Km(nearest.Distance)} 公里；辖区内队伍均已满负荷（当前任务 {nearest.Open}/{nearest.Team.Capacity}），指派最近的队伍"));
    }

    /// <summary>Whether the team may work an incident of <paramref name="incidentJurisdiction"/>.</summary>
    public static bool Covers(ReliefTeam team, string incidentJurisdiction) =>
        Jurisdiction.IsWellFormed(team.Jurisdiction) && Jurisdiction.IsWellFormed(incidentJurisdiction)
        && (Jurisdiction.Contains(incidentJurisdiction, team.Jurisdiction) || Jurisdiction.Contains(team.Jurisdiction, incidentJurisdiction));

    static string Km(double metres) => (metres / 1000).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
