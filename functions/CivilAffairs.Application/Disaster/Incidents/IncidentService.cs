using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Disaster.Incidents;

/// <summary>Body of <c>POST /api/disaster/incidents</c>.</summary>
/// <param name="Level">"I"…"IV" (also "Ⅰ"…"Ⅳ" or 1…4); Ⅰ is the highest response.</param>
/// <param name="Area">The affected area: a ring <c>[[lon, lat], …]</c> in GeoJSON order, or GeoJSON Polygon coordinates <c>[[[lon, lat], …]]</c>.</param>
/// <param name="Jurisdiction">Division code (6, 9 or 12 digits) responsible for the response; inside the caller's jurisdiction.</param>
public sealed record DeclareIncidentRequest(string? Name, IncidentType? Type, JsonElement? Level, JsonElement? Area, DateTimeOffset? StartedAt, string? Jurisdiction);

/// <summary>Body of <c>POST /api/disaster/incidents/{id}/update</c>: any of name, area, level; a level change needs a reason.</summary>
public sealed record UpdateIncidentRequest(string? Name, JsonElement? Area, JsonElement? Level, string? Reason);

/// <summary>Body of <c>POST /api/disaster/incidents/{id}/close</c> (optional).</summary>
public sealed record CloseIncidentRequest(string? Summary);

public sealed record LevelChangeView(string From, string To, DateTimeOffset At, string Actor, string? Reason);

/// <summary>An incident as staff see it.</summary>
public sealed record IncidentView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required IncidentType Type { get; init; }
    public required string TypeName { get; init; }
    /// <summary>"I"…"IV".</summary>
    public required string Level { get; init; }
    public required string LevelName { get; init; }
    public required IncidentStatus Status { get; init; }
    public required string StatusName { get; init; }
    /// <summary>Closed ring, GeoJSON order <c>[lon, lat]</c>.</summary>
    public required IReadOnlyList<double[]> Area { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required string Jurisdiction { get; init; }
    public required string JurisdictionName { get; init; }
    public required DateTimeOffset DeclaredAt { get; init; }
    public required string DeclaredBy { get; init; }
    public required double DeliveryLimitHours { get; init; }
    public IReadOnlyList<LevelChangeView> LevelChanges { get; init; } = [];
    public DateTimeOffset? UpdatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? ClosingSummary { get; init; }
}

public sealed record IncidentList(int Count, IReadOnlyList<IncidentView> Items);

/// <summary>One CAP message published for an incident (identifier and sent time), kept so updates can reference earlier ones.</summary>
public sealed record CapMessageRecord(string Identifier, DateTimeOffset Sent);

/// <summary>An incident as loaded from storage, with its ETag and the CAP messages published so far.</summary>
public sealed record StoredIncident(Incident Incident, ETag ETag, IReadOnlyList<CapMessageRecord> CapMessages);

/// <summary>
/// Disaster incidents (灾害事件). Storage:
/// <list type="bullet">
/// <item><c>DisasterIncidents</c>: PartitionKey = the incident's jurisdiction code, RowKey = incident id (ULID). The system of
/// record, with the ETag that <c>If-Match</c> checks. Listing a jurisdiction's subtree is a PartitionKey range
/// (<see cref="Jurisdiction.Prefix"/>); incidents declared above the caller (city or district level) are point partition queries.</item>
/// <item><c>DisasterIncidentIds</c>: PartitionKey = incident id, RowKey = "" → <c>Jurisdiction</c>. The lookup by id. Written once
/// at declaration: an incident's jurisdiction never changes, so the lookup cannot go stale.</item>
/// </list>
/// Visibility: staff whose jurisdiction contains the incident's, or lies inside it (a street officer works a district
/// incident that covers the street); other jurisdictions get 404.
/// </summary>
public sealed class IncidentService(Tables tables, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    /// <summary>Who may see objects of an incident declared for <paramref name="incidentJurisdiction"/>.</summary>
    public static bool Sees(Caller caller, string incidentJurisdiction) =>
        caller.IsStaff && caller.Jurisdiction is { } j && (Jurisdiction.Contains(j, incidentJurisdiction) || Jurisdiction.Contains(incidentJurisdiction, j));

    public static Problem NotFound() => Problem.NotFound("INCIDENT_NOT_FOUND", "灾害事件不存在", "没有找到该灾害事件，或您无权查看。");

    public async Task<Result<IncidentView>> DeclareAsync(CallContext call, DeclareIncidentRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        var level = ParseLevel(request.Level, "level", errors, required: true);
        var area = ParseArea(request.Area, "area", errors, required: true);
        if (request.Type is null) errors.Add(new FieldError("type", $"请选择灾害类型：{string.Join("、", Enum.GetNames<IncidentType>().Select(JsonNamingPolicy.CamelCase.ConvertName))}。"));
        if (request.StartedAt is null) errors.Add(new FieldError("startedAt", "请填写灾害发生时间（ISO 8601，带时区）。"));
        if (request.Jurisdiction is { } code && Jurisdiction.IsWellFormed(code))
        {
            if (divisions.Find(code) is null) errors.Add(new FieldError("jurisdiction", "行政区划代码不存在。"));
            else if (!AccessPolicy.InScope(caller, new ResourceScope(code))) return Problem.Forbidden("只能为本人管辖范围内的行政区划启动响应。");
        }
        else errors.Add(new FieldError("jurisdiction", "请填写负责响应的行政区划代码（6、9 或 12 位数字）。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var id = Ids.New(clock);
        var outcome = Incident.Declare(id, new IncidentDeclaration(request.Name ?? "", request.Type!.Value, level!.Value, area, request.StartedAt!.Value, request.Jurisdiction!, caller.Subject), clock);
        if (!outcome.Accepted) return Problem.Rejected(outcome.Rejections);
        var incident = outcome.Value;
        var caps = new List<CapMessageRecord> { new($"{incident.Id}.1", incident.DeclaredAt) };

        var lookup = await tables.GetAsync(TableNames.DisasterIncidentIds, ct);
        await lookup.AddEntityAsync(new TableEntity(id, "") { ["Jurisdiction"] = incident.JurisdictionCode }, ct);
        var table = await tables.GetAsync(TableNames.DisasterIncidents, ct);
        var response = await table.AddEntityAsync(ToEntity(incident, caps), ct);
        await audit.AppendAsync(caller, new AuditEvent("disaster.incident.declare", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Created(View(incident), $"/api/disaster/incidents/{id}", response.Headers.ETag?.ToString());
    }

    public async Task<Result<IncidentView>> GetAsync(CallContext call, string id)
    {
        var stored = await LoadAsync(id, call.Cancellation);
        if (stored is null || !Sees(call.Caller, stored.Incident.JurisdictionCode)) return NotFound();
        return Result.Ok(View(stored.Incident), stored.ETag.ToString());
    }

    public async Task<Result<IncidentList>> ListAsync(CallContext call, bool activeOnly) => Result.Ok(await ListAsync(call.Caller, activeOnly, call.Cancellation));

    /// <summary>Incidents the caller sees (their subtree and the divisions above them), newest first.</summary>
    public async Task<IncidentList> ListAsync(Caller caller, bool activeOnly, CancellationToken ct)
    {
        if (caller.Jurisdiction is not { } j || !Jurisdiction.IsWellFormed(j)) return new IncidentList(0, []);
        var table = await tables.GetAsync(TableNames.DisasterIncidents, ct);
        var prefix = Jurisdiction.Prefix(j);
        var filters = new List<string> { TableClient.CreateQueryFilter($"PartitionKey ge {prefix} and PartitionKey lt {prefix + "~"}") };
        filters.AddRange(Ancestors(j).Select(a => TableClient.CreateQueryFilter($"PartitionKey eq {a}")));
        var items = new List<Incident>();
        foreach (var filter in filters)
        {
            var f = activeOnly ? filter + TableClient.CreateQueryFilter($" and Status eq {nameof(IncidentStatus.Active)}") : filter;
            await foreach (var e in table.QueryAsync<TableEntity>(f, cancellationToken: ct)) items.Add(FromEntity(e).Incident);
        }
        var views = items.DistinctBy(i => i.Id).OrderByDescending(i => i.DeclaredAt).Select(View).ToList();
        return new IncidentList(views.Count, views);
    }

    /// <summary>Changes name, area or level (a level change needs a reason). <paramref name="ifMatch"/>: 412 when stale; without it, retried on conflicts.</summary>
    public Task<Result<IncidentView>> UpdateAsync(CallContext call, string id, UpdateIncidentRequest request, string? ifMatch)
    {
        var caller = call.Caller;
        var errors = new List<FieldError>();
        var level = ParseLevel(request.Level, "level", errors, required: false);
        var area = ParseArea(request.Area, "area", errors, required: false);
        if (errors.Count > 0) return Task.FromResult<Result<IncidentView>>(Problem.Invalid(errors));
        return ChangeAsync(call, id, ifMatch, "disaster.incident.update", i =>
        {
            if (level is { } l && l != i.Level && string.IsNullOrWhiteSpace(request.Reason))
                return Outcome<Incident>.Reject("incident.level.reason_required", "调整响应级别须说明理由", "reason");
            return i.Update(caller.Subject, clock, request.Name, area, level, request.Reason?.Trim());
        });
    }

    public Task<Result<IncidentView>> CloseAsync(CallContext call, string id, CloseIncidentRequest? request, string? ifMatch) =>
        ChangeAsync(call, id, ifMatch, "disaster.incident.close", i => i.Close(call.Caller.Subject, clock, request?.Summary?.Trim() is { Length: > 0 } s ? s : null));

    /// <summary>
    /// Applies a domain change with the row's ETag. With <paramref name="ifMatch"/> the caller's version must still be current
    /// (412 otherwise); without it a concurrent change is re-read and the change applied again.
    /// </summary>
    async Task<Result<IncidentView>> ChangeAsync(CallContext call, string id, string? ifMatch, string action, Func<Incident, Outcome<Incident>> change)
    {
        var (caller, requestId, ct) = call;
        var table = await tables.GetAsync(TableNames.DisasterIncidents, ct);
        return await Optimistic.RetryAsync<Result<IncidentView>>($"incident {id}", async () =>
        {
            var stored = await LoadAsync(id, ct);
            if (stored is null || !Sees(caller, stored.Incident.JurisdictionCode)) return NotFound();
            if (!AccessPolicy.InScope(caller, new ResourceScope(stored.Incident.JurisdictionCode)))
                return Problem.Forbidden("只有负责该事件的行政区划（或其上级）的工作人员可以调整或结束响应。");
            if (ifMatch is not null && ifMatch != "*" && ifMatch != stored.ETag.ToString()) return Problem.Stale();
            var outcome = change(stored.Incident);
            if (!outcome.Accepted) return Problem.Rejected(outcome.Rejections);
            var next = outcome.Value;
            var caps = stored.CapMessages.Append(new CapMessageRecord($"{id}.{stored.CapMessages.Count + 1}", next.UpdatedAt ?? clock.GetUtcNow())).ToList();
            Response response;
            try
            {
                response = await table.UpdateEntityAsync(ToEntity(next, caps), stored.ETag, TableUpdateMode.Replace, ct);
            }
            catch (RequestFailedException e) when (e.Status == 412 && ifMatch is not null)
            {
                return Problem.Stale();
            }
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Success, Detail: id), requestId, ct);
            return Result.Ok(View(next), response.Headers.ETag?.ToString());
        }, ct);
    }

    /// <summary>Loads an incident by id (no access check; for the needs side and the public feed).</summary>
    public async Task<StoredIncident?> LoadAsync(string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var lookup = await tables.GetAsync(TableNames.DisasterIncidentIds, ct);
        var entry = await lookup.GetEntityIfExistsAsync<TableEntity>(id, "", cancellationToken: ct);
        if (!entry.HasValue) return null;
        var table = await tables.GetAsync(TableNames.DisasterIncidents, ct);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(entry.Value!.GetString("Jurisdiction"), id, cancellationToken: ct);
        return e.HasValue ? FromEntity(e.Value!) : null;
    }

    /// <summary>Every incident that is active or was closed after <paramref name="closedSince"/> (the public feed; a table scan, small by nature).</summary>
    public async Task<IReadOnlyList<StoredIncident>> PublicAsync(DateTimeOffset closedSince, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.DisasterIncidents, ct);
        var filter = TableClient.CreateQueryFilter($"Status eq {nameof(IncidentStatus.Active)} or ClosedAt ge {closedSince}");
        var list = new List<StoredIncident>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) list.Add(FromEntity(e));
        return list.OrderByDescending(s => s.Incident.DeclaredAt).ToList();
    }

    static IEnumerable<string> Ancestors(string code)
    {
        var level = Jurisdiction.LevelOf(code);
        if (level == DivisionLevel.Community) yield return code[..9];
        if (level is DivisionLevel.Community or DivisionLevel.Street) yield return code[..6];
        if (level != DivisionLevel.City) yield return code[..4] + "00";
    }

    public IncidentView View(Incident i) => new()
    {
        Id = i.Id,
        Name = i.Name,
        Type = i.Type,
        TypeName = i.Type.ChineseName(),
        Level = i.Level.ToString(),
        LevelName = i.Level.ChineseName(),
        Status = i.Status,
        StatusName = i.Status.ChineseName(),
        Area = i.Area.ToCoordinates(),
        StartedAt = ChinaTime.ToChina(i.StartedAt),
        Jurisdiction = i.JurisdictionCode,
        JurisdictionName = divisions.FullName(i.JurisdictionCode),
        DeclaredAt = i.DeclaredAt,
        DeclaredBy = i.DeclaredBy,
        DeliveryLimitHours = i.DeliveryLimit().TotalHours,
        LevelChanges = i.LevelChanges.Select(c => new LevelChangeView(c.From.ToString(), c.To.ToString(), c.At, c.Actor, c.Reason)).ToList(),
        UpdatedAt = i.UpdatedAt,
        ClosedAt = i.ClosedAt,
        ClosedBy = i.ClosedBy,
        ClosingSummary = i.ClosingSummary,
    };

    /// <summary>Response level from "I"…"IV", "Ⅰ"…"Ⅳ" (optionally with 级) or 1…4.</summary>
    public static ResponseLevel? ParseLevel(JsonElement? element, string field, List<FieldError> errors, bool required)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            if (required) errors.Add(new FieldError(field, "请选择响应级别：I、II、III 或 IV（I 级最高）。"));
            return null;
        }
        ResponseLevel? level = e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetInt32(out var n) && n is >= 1 and <= 4 => (ResponseLevel)n,
            JsonValueKind.String => e.GetString()!.Trim().TrimEnd('级').ToUpperInvariant() switch
            {
                "I" or "Ⅰ" or "1" => ResponseLevel.I,
                "II" or "Ⅱ" or "2" => ResponseLevel.II,
                "III" or "Ⅲ" or "3" => ResponseLevel.III,
                "IV" or "Ⅳ" or "4" => ResponseLevel.IV,
                _ => null,
            },
            _ => null,
        };
        if (level is null) errors.Add(new FieldError(field, "响应级别必须是 I、II、III 或 IV（I 级最高）。"));
        return level;
    }

    static GeoPolygon? ParseArea(JsonElement? element, string field, List<FieldError> errors, bool required)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            if (required) errors.Add(new FieldError(field, "请划定受灾区域：[[经度, 纬度], …]（GeoJSON 顺序）。"));
            return null;
        }
        var polygon = GeoPolygon.ParseCoordinates(e.GetRawText());
        if (polygon.Accepted) return polygon.Value;
        errors.Add(new FieldError(field, polygon.Rejection!.Reason));
        return null;
    }

    sealed record StoredLevelChange(ResponseLevel From, ResponseLevel To, DateTimeOffset At, string Actor, string? Reason);

    static TableEntity ToEntity(Incident i, IReadOnlyList<CapMessageRecord> caps) => new(i.JurisdictionCode, i.Id)
    {
        ["Name"] = i.Name,
        ["Type"] = i.Type.ToString(),
        ["Level"] = i.Level.ToString(),
        ["Area"] = JsonSerializer.Serialize(i.Area.ToCoordinates()),
        ["StartedAt"] = i.StartedAt,
        ["DeclaredAt"] = i.DeclaredAt,
        ["DeclaredBy"] = i.DeclaredBy,
        ["Status"] = i.Status.ToString(),
        ["LevelChanges"] = JsonSerializer.Serialize(i.LevelChanges.Select(c => new StoredLevelChange(c.From, c.To, c.At, c.Actor, c.Reason)), JsonDefaults.Options),
        ["UpdatedAt"] = i.UpdatedAt,
        ["ClosedAt"] = i.ClosedAt,
        ["ClosedBy"] = i.ClosedBy,
        ["ClosingSummary"] = i.ClosingSummary,
        ["CapMessages"] = JsonSerializer.Serialize(caps, JsonDefaults.Options),
    };

    static StoredIncident FromEntity(TableEntity e)
    {
        var incident = new Incident
        {
            Id = e.RowKey,
            Name = e.GetString("Name"),
            Type = Enum.Parse<IncidentType>(e.GetString("Type")),
            Level = Enum.Parse<ResponseLevel>(e.GetString("Level")),
            Area = GeoPolygon.ParseCoordinates(e.GetString("Area")).Value,
            StartedAt = e.GetDateTimeOffset("StartedAt")!.Value,
            JurisdictionCode = e.PartitionKey,
            DeclaredAt = e.GetDateTimeOffset("DeclaredAt")!.Value,
            DeclaredBy = e.GetString("DeclaredBy"),
            Status = Enum.Parse<IncidentStatus>(e.GetString("Status")),
            LevelChanges = (JsonSerializer.Deserialize<List<StoredLevelChange>>(e.GetString("LevelChanges") ?? "[]", JsonDefaults.Options) ?? [])
                .Select(c => new LevelChange(c.From, c.To, c.At, c.Actor, c.Reason)).ToList(),
            UpdatedAt = e.GetDateTimeOffset("UpdatedAt"),
            ClosedAt = e.GetDateTimeOffset("ClosedAt"),
            ClosedBy = e.GetString("ClosedBy"),
            ClosingSummary = e.GetString("ClosingSummary"),
        };
        var caps = JsonSerializer.Deserialize<List<CapMessageRecord>>(e.GetString("CapMessages") ?? "[]", JsonDefaults.Options) ?? [];
        return new StoredIncident(incident, e.ETag, caps);
    }
}
