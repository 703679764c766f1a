using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Teams;

/// <summary>Body of <c>POST /api/disaster/teams</c>.</summary>
/// <param name="Id">Letters, digits and hyphens, e.g. <c>TH-SHIPAI-01</c>.</param>
/// <param name="Jurisdiction">The division the team works for (usually a street, 9 digits); inside the caller's jurisdiction.</param>
/// <param name="Base">Where the team sets out from (WGS-84): assignment picks the nearest team to the need.</param>
/// <param name="Members">The members' platform accounts (subjects); each sees and confirms the team's tasks.</param>
/// <param name="Capacity">Open tasks at a time before other teams are preferred (1–20, default 3).</param>
public sealed record TeamRequest(string? Id, string? Name, string? Jurisdiction, PositionBody? Base, IReadOnlyList<string>? Members, int? Capacity);

/// <summary>Body of <c>POST /api/disaster/teams/{id}/update</c>: any of these; <c>active=false</c> stands the team down (no new tasks).</summary>
public sealed record TeamUpdateRequest(string? Name, PositionBody? Base, IReadOnlyList<string>? Members, int? Capacity, bool? Active);

public sealed record TeamView(string Id, string Name, string Jurisdiction, string JurisdictionName, PositionBody Base, IReadOnlyList<string> Members,
    int Capacity, bool Active, int OpenTasks, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? UpdatedAt);

public sealed record TeamList(int Count, IReadOnlyList<TeamView> Items);

/// <summary>A stored team with its row version.</summary>
public sealed record StoredTeam(ReliefTeam Team, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? UpdatedAt, ETag ETag);

/// <summary>
/// The registry of relief field teams (救灾队伍). Street, district and city staff register and change the teams of their
/// jurisdiction; staff see the teams of their subtree and of the divisions above them (a street officer sees the district's
/// team too). Table <see cref="TableNames.DisasterTeams"/>: one partition (a city has tens or hundreds of teams), RowKey = team id.
/// </summary>
public sealed partial class TeamService(Tables tables, DispatchLists lists, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    public const string Partition = "team";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{1,39}$")]
    private static partial Regex IdPattern();

    public static Problem NotFound() => Problem.NotFound("TEAM_NOT_FOUND", "救灾队伍不存在", "没有找到该队伍，或不在您的管辖范围内。");

    public async Task<Result<TeamView>> CreateAsync(CallContext call, TeamRequest request)
    {
        var (caller, requestId, ct) = call;
        var id = request.Id?.Trim();
        var errors = new List<FieldError>();
        if (id is null || !IdPattern().IsMatch(id)) errors.Add(new FieldError("id", "队伍编号须为 2 到 40 位字母、数字或连字符。"));
        var members = Clean(request.Members);
        errors.AddRange(ReliefTeam.Validate(request.Name, request.Jurisdiction, members, request.Capacity).Select(r => new FieldError(r.Field ?? "", r.Reason)));
        var position = Position(request.Base, errors, required: true);
        if (Jurisdiction.IsWellFormed(request.Jurisdiction) && divisions.Find(request.Jurisdiction) is null)
            errors.Add(new FieldError("jurisdiction", "行政区划代码不存在。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (!AccessPolicy.InScope(caller, new ResourceScope(request.Jurisdiction!)))
            return Problem.OutOfJurisdiction("只能为本人管辖范围内的行政区划组建队伍。");

        var team = new ReliefTeam
        {
            Id = id!, Name = request.Name!.Trim(), Jurisdiction = request.Jurisdiction!, Base = position!.Value, Members = members!,
            Capacity = request.Capacity ?? ReliefTeam.DefaultCapacity,
        };
        var stored = new StoredTeam(team, clock.GetUtcNow(), caller.Subject, null, default);
        var table = await tables.GetAsync(TableNames.DisasterTeams, ct);
        try
        {
            await table.AddEntityAsync(ToEntity(stored), ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return Problem.Conflict("TEAM_EXISTS", "队伍编号已存在", $"编号为 {id} 的队伍已经登记。");
        }
        await audit.AppendAsync(caller, new AuditEvent("disaster.team.create", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Created(await ViewAsync(stored, ct), $"/api/disaster/teams/{id}");
    }

    public async Task<Result<TeamList>> ListAsync(CallContext call)
    {
        var views = new List<TeamView>();
        foreach (var t in (await AllStoredAsync(call.Cancellation)).Where(t => Sees(call.Caller, t.Team)))
            views.Add(await ViewAsync(t, call.Cancellation));
        return Result.Ok(new TeamList(views.Count, views));
    }

    public async Task<Result<TeamView>> GetAsync(CallContext call, string id) =>
        await FindStoredAsync(id, call.Cancellation) is { } t && Sees(call.Caller, t.Team) ? Result.Ok(await ViewAsync(t, call.Cancellation)) : NotFound();

    /// <summary>Changes a team of the caller's jurisdiction (retried on concurrent changes).</summary>
    public async Task<Result<TeamView>> UpdateAsync(CallContext call, string id, TeamUpdateRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        var members = request.Members is null ? null : Clean(request.Members);
        var position = Position(request.Base, errors, required: false);
        var table = await tables.GetAsync(TableNames.DisasterTeams, ct);
        var result = await Optimistic.RetryAsync<Result<StoredTeam>>($"team {id}", async () =>
        {
            var stored = await FindStoredAsync(id, ct);
            if (stored is null || !Sees(caller, stored.Team)) return NotFound();
            if (!AccessPolicy.InScope(caller, new ResourceScope(stored.Team.Jurisdiction)))
                return Problem.OutOfJurisdiction("只能调整本人管辖范围内的队伍。");
            var next = stored.Team with
            {
                Name = request.Name?.Trim() ?? stored.Team.Name,
                Base = position ?? stored.Team.Base,
                Members = members ?? stored.Team.Members,
                Capacity = request.Capacity ?? stored.Team.Capacity,
                Active = request.Active ?? stored.Team.Active,
            };
            var problems = errors.Concat(ReliefTeam.Validate(next.Name, next.Jurisdiction, next.Members, next.Capacity)
                .Select(r => new FieldError(r.Field ?? "", r.Reason))).ToList();
            if (problems.Count > 0) return Problem.Invalid(problems);
            var updated = stored with { Team = next, UpdatedAt = clock.GetUtcNow() };
            var response = await table.UpdateEntityAsync(ToEntity(updated), stored.ETag, TableUpdateMode.Replace, ct);
            return Result.Ok(updated with { ETag = response.Headers.ETag ?? default });
        }, ct);
        if (result.Problem is { } problem) return problem;
        await audit.AppendAsync(caller, new AuditEvent("disaster.team.update", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Ok(await ViewAsync(result.Value!, ct));
    }

    /// <summary>Every team (for assignment: the incident's jurisdiction decides which ones may work it).</summary>
    public async Task<IReadOnlyList<ReliefTeam>> AllAsync(CancellationToken ct) => (await AllStoredAsync(ct)).Select(t => t.Team).ToList();

    public async Task<ReliefTeam?> FindAsync(string id, CancellationToken ct) => (await FindStoredAsync(id, ct))?.Team;

    /// <summary>The teams the account is a member of.</summary>
    public async Task<IReadOnlyList<ReliefTeam>> OfMemberAsync(string subject, CancellationToken ct) =>
        (await AllAsync(ct)).Where(t => t.HasMember(subject)).ToList();

    /// <summary>Staff see the teams of their subtree and of the divisions above them.</summary>
    public static bool Sees(Caller caller, ReliefTeam team) =>
        caller.IsStaff && caller.Jurisdiction is { } j && (Jurisdiction.Contains(j, team.Jurisdiction) || Jurisdiction.Contains(team.Jurisdiction, j));

    async Task<IReadOnlyList<StoredTeam>> AllStoredAsync(CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterTeams, ct);
        var list = new List<StoredTeam>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct)) list.Add(FromEntity(e));
        return list.OrderBy(t => t.Team.Id, StringComparer.Ordinal).ToList();
    }

    async Task<StoredTeam?> FindStoredAsync(string id, CancellationToken ct)
    {
        if (!IdPattern().IsMatch(id)) return null;
        var table = await tables.GetAsync(TableNames.DisasterTeams, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    async Task<TeamView> ViewAsync(StoredTeam s, CancellationToken ct)
    {
        var t = s.Team;
        return new TeamView(t.Id, t.Name, t.Jurisdiction, divisions.Find(t.Jurisdiction) is null ? t.Jurisdiction : divisions.FullName(t.Jurisdiction),
            new PositionBody(t.Base.Latitude, t.Base.Longitude), t.Members, t.Capacity, t.Active, await lists.OpenTasksAsync(t.Id, ct), s.CreatedAt, s.CreatedBy, s.UpdatedAt);
    }

    static IReadOnlyList<string>? Clean(IReadOnlyList<string>? members) => members?.Select(m => m?.Trim() ?? "").ToList();

    static GeoPoint? Position(PositionBody? body, List<FieldError> errors, bool required)
    {
        if (body is null)
        {
            if (required) errors.Add(new FieldError("base", "请填写队伍驻地位置（base.latitude、base.longitude，WGS-84）。"));
            return null;
        }
        if (body is not { Latitude: { } lat, Longitude: { } lon })
        {
            errors.Add(new FieldError("base", "请填写队伍驻地位置（base.latitude、base.longitude，WGS-84）。"));
            return null;
        }
        if (GeoPoint.Validate(lat, lon) is { } bad)
        {
            errors.Add(new FieldError("base." + bad.Field, bad.Reason));
            return null;
        }
        return new GeoPoint(lat, lon);
    }

    static TableEntity ToEntity(StoredTeam s) => new(Partition, s.Team.Id)
    {
        ["Name"] = s.Team.Name,
        ["Jurisdiction"] = s.Team.Jurisdiction,
        ["Latitude"] = s.Team.Base.Latitude,
        ["Longitude"] = s.Team.Base.Longitude,
        ["Members"] = JsonSerializer.Serialize(s.Team.Members),
        ["Capacity"] = s.Team.Capacity,
        ["Active"] = s.Team.Active,
        ["CreatedAt"] = s.CreatedAt,
        ["CreatedBy"] = s.CreatedBy,
        ["UpdatedAt"] = s.UpdatedAt,
    };

    static StoredTeam FromEntity(TableEntity e) => new(new ReliefTeam
    {
        Id = e.RowKey,
        Name = e.GetString("Name"),
        Jurisdiction = e.GetString("Jurisdiction"),
        Base = new GeoPoint(e.GetDouble("Latitude")!.Value, e.GetDouble("Longitude")!.Value),
        Members = JsonSerializer.Deserialize<List<string>>(e.GetString("Members")) ?? [],
        Capacity = e.GetInt32("Capacity") ?? ReliefTeam.DefaultCapacity,
        Active = e.GetBoolean("Active") ?? true,
    }, e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "", e.GetDateTimeOffset("UpdatedAt"), e.ETag);
}
