using System.Globalization;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>A stored meal point: the domain's <see cref="Domain.Elderly.MealPoint"/> plus where it is and its terminal.</summary>
public sealed record StoredMealPoint(MealPoint Point, GeoPoint Position, int Capacity, string Jurisdiction, string TerminalId, DateTimeOffset CreatedAt, string CreatedBy)
{
    public ResourceScope Scope => new(Jurisdiction, Channel: TerminalId);
}

/// <summary>
/// Meal points (长者饭堂). Street, district and city staff (<c>ManageMealPoints</c>) register a point in their jurisdiction;
/// its till terminal is registered at the same time in the platform device registry (<see cref="DeviceService"/>, kind
/// <see cref="DeviceKind.MealTerminal"/>) and its one-time secret returned once. Table <see cref="TableNames.ElderlyMealPoints"/>,
/// one partition (a city has hundreds of points): RowKey = point id, and RowKey <c>terminal.{deviceId}</c> → point id, written
/// in the same transaction, so a terminal finds its point with one point read.
/// </summary>
public sealed partial class MealPointService(Tables tables, DeviceService devices, DivisionDirectory divisions, AuditLog audit, TimeProvider clock)
{
    public const string Partition = "meal-points";
    const string TerminalPrefix = "terminal.";

    [GeneratedRegex("^[A-Za-z0-9-]{2,40}$")]
    private static partial Regex IdPattern();

    public static Problem NotFound() => Problem.NotFound("MEAL_POINT_NOT_FOUND", "长者饭堂不存在", "没有找到该长者饭堂，或不在您的管辖范围内。");

    public async Task<Result<MealPointRegistered>> RegisterAsync(CallContext call, MealPointRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 40 || TextRules.Check(name) is not null)
            errors.Add(new FieldError("name", "请填写长者饭堂名称（不超过 40 个字符）。"));
        var position = Position(request.Position, errors);
        if (request.Capacity is { } c && c is < 1 or > 1000) errors.Add(new FieldError("capacity", "座位数须在 1 到 1000 之间。"));
        if (request.MenuPrice is { } p && (p <= 0 || p > 200 || decimal.Round(p, 2) != p)) errors.Add(new FieldError("menuPrice", "餐标价格须大于 0 元、不超过 200 元，最多两位小数。"));
        if (!Jurisdiction.IsWellFormed(request.Jurisdiction) || divisions.Find(request.Jurisdiction) is null
            || Jurisdiction.LevelOf(request.Jurisdiction!) is not (DivisionLevel.Street or DivisionLevel.Community))
            errors.Add(new FieldError("jurisdiction", "请填写长者饭堂所属的街道（9 位）或社区（12 位）行政区划代码。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (!AccessPolicy.InScope(caller, new ResourceScope(request.Jurisdiction!)))
            return Problem.OutOfJurisdiction("只能在本人管辖范围内登记长者饭堂。");

        // The terminal first: a point is never stored without one; a terminal left without a point (a crash in between) finds no
        // point and is refused, and staff revoke it.
        var terminal = await devices.RegisterAsync(call, new DeviceRegistration($"{name} 助餐终端", DeviceKind.MealTerminal, request.Jurisdiction, null));
        if (terminal.Problem is { } problem) return problem;
        var credentials = terminal.Value!;
        var stored = new StoredMealPoint(new MealPoint(Ids.New(clock), name!, request.Jurisdiction![..6], request.MenuPrice ?? MealSubsidyPolicy.DefaultMenuPrice),
            position!.Value, request.Capacity ?? 60, request.Jurisdiction, credentials.Device.Id, clock.GetUtcNow(), caller.Subject);
        await SaveAsync(stored, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.mealPoint.register", AuditOutcome.Success, Detail: stored.Point.Id), requestId, ct);
        return Result.Created(new MealPointRegistered(ViewOf(stored), credentials), $"/api/elderly/meal-points/{stored.Point.Id}");
    }

    public async Task<Result<MealPointList>> ListAsync(CallContext call)
    {
        var items = (await AllAsync(call.Cancellation)).Where(p => AccessPolicy.InScope(call.Caller, p.Scope)).Select(ViewOf).ToList();
        return Result.Ok(new MealPointList(items.Count, items));
    }

    public async Task<Result<MealPointView>> GetAsync(CallContext call, string id) =>
        await FindAsync(id, call.Cancellation) is { } p && AccessPolicy.InScope(call.Caller, p.Scope) ? Result.Ok(ViewOf(p)) : NotFound();

    /// <summary>Demo data: a point with a fixed id and its terminal (no secret; the development identity provider issues its tokens). Does nothing when present.</summary>
    public async Task SeedAsync(string id, string name, GeoPoint position, int capacity, string jurisdiction, string terminalId, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not null) return;
        await devices.SeedAsync(terminalId, $"{name} 助餐终端", DeviceKind.MealTerminal, jurisdiction, ct);
        await SaveAsync(new StoredMealPoint(new MealPoint(id, name, jurisdiction[..6]), position, capacity, jurisdiction, terminalId, clock.GetUtcNow(), "seed"), ct);
    }

    public async Task<StoredMealPoint?> FindAsync(string id, CancellationToken ct)
    {
        if (!IdPattern().IsMatch(id)) return null;
        var table = await tables.GetAsync(TableNames.ElderlyMealPoints, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    /// <summary>The meal point whose terminal this device is, if any.</summary>
    public async Task<StoredMealPoint?> OfTerminalAsync(string deviceId, CancellationToken ct)
    {
        if (deviceId.Length is 0 or > 64) return null;
        var table = await tables.GetAsync(TableNames.ElderlyMealPoints, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition, TerminalPrefix + deviceId, cancellationToken: ct);
        return found.HasValue ? await FindAsync(found.Value!.GetString("MealPointId"), ct) : null;
    }

    public async Task<IReadOnlyList<StoredMealPoint>> AllAsync(CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealPoints, ct);
        var list = new List<StoredMealPoint>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), cancellationToken: ct))
            if (!e.RowKey.StartsWith(TerminalPrefix, StringComparison.Ordinal)) list.Add(FromEntity(e));
        return list.OrderBy(p => p.Point.Id, StringComparer.Ordinal).ToList();
    }

    public MealPointView ViewOf(StoredMealPoint s) => new(s.Point.Id, s.Point.Name, new PositionBody(s.Position.Latitude, s.Position.Longitude), s.Capacity,
        s.Jurisdiction, divisions.Find(s.Jurisdiction) is null ? s.Jurisdiction : divisions.FullName(s.Jurisdiction), s.Point.DistrictCode, s.Point.MenuPrice,
        s.TerminalId, s.CreatedAt, s.CreatedBy);

    async Task SaveAsync(StoredMealPoint s, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyMealPoints, ct);
        await table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(s)),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(Partition, TerminalPrefix + s.TerminalId) { ["MealPointId"] = s.Point.Id }),
        ], ct);
    }

    static GeoPoint? Position(PositionBody? body, List<FieldError> errors)
    {
        if (body is not { Latitude: { } lat, Longitude: { } lon })
        {
            errors.Add(new FieldError("position", "请填写长者饭堂位置（position.latitude、position.longitude，WGS-84）。"));
            return null;
        }
        if (GeoPoint.Validate(lat, lon) is { } bad)
        {
            errors.Add(new FieldError("position." + bad.Field, bad.Reason));
            return null;
        }
        return new GeoPoint(lat, lon);
    }

    static TableEntity ToEntity(StoredMealPoint s) => new(Partition, s.Point.Id)
    {
        ["Name"] = s.Point.Name,
        ["DistrictCode"] = s.Point.DistrictCode,
        ["MenuPrice"] = s.Point.MenuPrice.ToString("0.00", CultureInfo.InvariantCulture),
        ["Latitude"] = s.Position.Latitude,
        ["Longitude"] = s.Position.Longitude,
        ["Capacity"] = s.Capacity,
        ["Jurisdiction"] = s.Jurisdiction,
        ["TerminalId"] = s.TerminalId,
        ["CreatedAt"] = s.CreatedAt,
        ["CreatedBy"] = s.CreatedBy,
    };

    static StoredMealPoint FromEntity(TableEntity e) => new(
        new MealPoint(e.RowKey, e.GetString("Name"), e.GetString("DistrictCode"), decimal.Parse(e.GetString("MenuPrice"), CultureInfo.InvariantCulture)),
        new GeoPoint(e.GetDouble("Latitude") ?? 0, e.GetDouble("Longitude") ?? 0), e.GetInt32("Capacity") ?? 0, e.GetString("Jurisdiction"),
        e.GetString("TerminalId"), e.GetDateTimeOffset("CreatedAt") ?? default, e.GetString("CreatedBy") ?? "");
}
