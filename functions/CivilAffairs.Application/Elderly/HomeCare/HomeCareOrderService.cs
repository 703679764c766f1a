using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;
using ElderDirectory = CivilAffairs.Application.Elderly.Elders.ElderService;
using GeoPoint = CivilAffairs.Domain.Disaster.GeoPoint;

namespace CivilAffairs.Application.Elderly.HomeCare;

/// <summary>A stored order: the domain order, the elder's community (for the scope check) and who did each step.</summary>
public sealed record StoredHomeCareOrder(HomeCareOrder Order, string Jurisdiction, string OrderedBy, string? CheckInBy, string? CheckOutBy, ETag ETag);

/// <summary>
/// Home-care orders (居家服务工单): a community worker, street officer or district approver (<c>OrderHomeCare</c>) orders a
/// catalogue service for an elder of their jurisdiction and assigns a provider (company code); the provider's carer
/// (<c>DeliverHomeCare</c>, company = the caller's channel) checks in within <see cref="HomeCareOptions.MaxCheckInMetres"/> of the
/// elder's home and checks out — the six EVV elements recorded; the elder, a relative who is a named contact with an account, or the
/// community worker (<c>ConfirmHomeCare</c>) confirms; confirming bills the visit (<see cref="HomeCareBillingLedger"/>): hours
/// subsidised up to the month's remaining budget, the elder pays the rest. A death stops every step from the next day.
/// Table <see cref="TableNames.ElderlyHomeCareOrders"/>: PK order id, RK <c>order</c>; PK <c>provider|{code}</c>, RK order id for the
/// provider's list; PK <c>elder|{elderId}</c>, RK order id for the elder's (what a death cancels). Anyone outside an order's reach gets 404, audited.
/// </summary>
public sealed partial class HomeCareOrderService(Tables tables, ElderRepository elders, ElderDirectory directory, HomeCareBillingLedger billing,
    FieldCipher cipher, AuditLog audit, IOptions<HomeCareOptions> options, TimeProvider clock)
{
    const string OrderRow = "order";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,39}$")]
    private static partial Regex ProviderPattern();

    public static Problem NotFound() => Problem.NotFound("HOMECARE_ORDER_NOT_FOUND", "服务工单不存在", "没有找到该居家服务工单，或不在您的服务范围内。");

    public Task<Result<HomeCareCatalogueView>> CatalogueAsync(CallContext call)
    {
        var c = options.Value.Catalogue();
        return Result.Ok(new HomeCareCatalogueView(
            c.HourlyPrices.OrderBy(p => p.Key).Select(p => new HomeCareServiceItem(p.Key, p.Key.ChineseName(), p.Value)).ToList(),
            c.MonthlySubsidisedHours.OrderBy(h => h.Key).Select(h => new HomeCareBudgetItem(h.Key, h.Key.ChineseName(), h.Value)).ToList())).Cached(300).AsTask();
    }

    public async Task<Result<HomeCareOrderView>> PlaceAsync(CallContext call, HomeCareOrderRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.ElderId)) errors.Add(new FieldError("elderId", "请指定服务对象（老人编号）。"));
        if (request.Service is null) errors.Add(new FieldError("service", "请选择服务项目：bathing、cleaning、rehabilitation、companionship、mealDelivery。"));
        if (request.ScheduledFor is null) errors.Add(new FieldError("scheduledFor", "请填写服务日期（yyyy-MM-dd）。"));
        if (request.ProviderId is { } p && !ProviderPattern().IsMatch(p)) errors.Add(new FieldError("providerId", "服务机构代码为 2 到 40 位小写字母、数字或连字符。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var read = await directory.ReadForAsync(call, request.ElderId!, "homeCare.order");
        if (read.Problem is { } notFound) return notFound;
        var stored = read.Value!;
        var today = ChinaTime.Today(clock);
        if (Deceased(stored, today) is { } deceased) return Problem.Rejected([deceased]);
        var placed = HomeCareOrder.Place(Ids.New(clock), stored.Elder, request.Service!.Value, request.ScheduledFor!.Value, clock);
        if (placed.Accepted && request.ProviderId is { } provider) placed = placed.Value.Assign(provider);
        if (!placed.Accepted) return Problem.Rejected(placed.Rejections);

        var order = new StoredHomeCareOrder(placed.Value, stored.Jurisdiction, caller.Subject, null, null, default);
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        await table.AddEntityAsync(ToEntity(order), ct);
        if (order.Order.ProviderId is { } assigned) await table.UpsertEntityAsync(ProviderRow(assigned, order.Order.Id), TableUpdateMode.Replace, ct);
        await table.UpsertEntityAsync(ElderRow(order.Order.ElderId, order.Order.Id), TableUpdateMode.Replace, ct);
        await audit.AppendAsync(caller, new AuditEvent("elderly.homeCare.order", AuditOutcome.Success, stored.Elder.Id, Detail: order.Order.Id), requestId, ct);
        return Result.Created(await ViewAsync(order, stored, ct), $"/api/elderly/home-care/orders/{order.Order.Id}");
    }

    public Task<Result<HomeCareOrderView>> AssignAsync(CallContext call, string id, AssignProviderRequest request)
    {
        if (request.ProviderId is not { } provider || !ProviderPattern().IsMatch(provider))
            return Result<HomeCareOrderView>.Fail(Problem.Invalid("providerId", "服务机构代码为 2 到 40 位小写字母、数字或连字符。")).AsTask();
        return ChangeAsync(call, id, "assign", StaffOnly, (order, _) => order.Assign(provider), async (table, order, ct) =>
            await table.UpsertEntityAsync(ProviderRow(provider, order.Order.Id), TableUpdateMode.Replace, ct));
    }

    public async Task<Result<HomeCareOrderView>> CheckInAsync(CallContext call, string id, VisitStampRequest request)
    {
        if (Stamp(request) is not { } stamp) return StampProblem(request);
        var at = stamp.At;
        return await ChangeAsync(call, id, "checkIn", CarerOnly, (order, elder) =>
            at is { } when && Invalid(when) is { } bad ? bad
            : order.CheckInAt(call.Caller.Channel!, stamp.Position, elder.Elder, ClockAt(at), options.Value.MaxCheckInMetres));
    }

    public async Task<Result<HomeCareOrderView>> CheckOutAsync(CallContext call, string id, VisitStampRequest request)
    {
        if (Stamp(request) is not { } stamp) return StampProblem(request);
        var at = stamp.At;
        return await ChangeAsync(call, id, "checkOut", CarerOnly, (order, elder) =>
            at is { } when && Invalid(when) is { } bad ? bad
            : Deceased(elder, ChinaTime.DateOf(at ?? clock.GetUtcNow())) is { } deceased ? deceased
            : order.CheckOutAt(call.Caller.Channel!, stamp.Position, ClockAt(at)));
    }

    public Task<Result<HomeCareOrderView>> CancelAsync(CallContext call, string id, CancelOrderRequest request) =>
        ChangeAsync(call, id, "cancel", StaffOnly, (order, _) => order.Cancel(request.Reason?.Trim() ?? ""));

    /// <summary>
    /// Confirms a checked-out visit and bills it. The elder themself and a relative who is a named contact with an account
    /// (citizens, through the elder's scope) or the community worker over the elder (staff) may confirm; anyone else gets 404.
    /// </summary>
    public async Task<Result<HomeCareOrderView>> ConfirmAsync(CallContext call, string id)
    {
        var (caller, requestId, ct) = call;
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        var result = await Optimistic.RetryAsync<Result<(StoredHomeCareOrder Order, StoredElder Elder)>>($"home-care order {id}", async () =>
        {
            var (order, elder, problem) = await LoadForAsync(caller, requestId, id, "confirm", ct);
            if (problem is not null) return problem;
            if (order!.Order.Status == HomeCareOrderStatus.Confirmed) return Result.Ok((order, elder!));
            var (by, name) = Confirmer(caller, elder!);
            var confirmed = order.Order.Confirm(by, name, clock);
            if (!confirmed.Accepted) return Problem.Rejected(confirmed.Rejections);
            var line = await billing.BillAsync(confirmed.Value, elder!.Elder, elder.EnrolmentFor(ElderCareService.HomeCareBudget), order.Jurisdiction, options.Value.Catalogue(), ct);
            if (!line.Accepted) return Problem.Rejected(line.Rejections);
            var next = order with { Order = confirmed.Value };
            var response = await table.UpdateEntityAsync(ToEntity(next), order.ETag, TableUpdateMode.Replace, ct);
            return Result.Ok((next with { ETag = response.Headers.ETag ?? default }, elder));
        }, ct);
        if (result.Problem is { } failed) return failed;
        await audit.AppendAsync(caller, new AuditEvent("elderly.homeCare.confirm", AuditOutcome.Success, result.Value.Elder.Elder.Id, Detail: id), requestId, ct);
        return Result.Ok(await ViewAsync(result.Value.Order, result.Value.Elder, ct));
    }

    public async Task<Result<HomeCareOrderView>> GetAsync(CallContext call, string id)
    {
        var (order, elder, problem) = await LoadForAsync(call.Caller, call.RequestId, id, "read", call.Cancellation);
        if (problem is not null) return problem;
        await audit.AppendAsync(call.Caller, new AuditEvent("elderly.homeCare.read", AuditOutcome.Success, elder!.Elder.Id, Detail: id), call.RequestId, call.Cancellation);
        return Result.Ok(await ViewAsync(order!, elder, call.Cancellation));
    }

    /// <summary>The open visits of the caller's company (carers): where to go and what to do; the addresses read are audited.</summary>
    public async Task<Result<AssignedVisitList>> AssignedAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role != Role.CareWorker || caller.Channel is not { } provider) return Problem.Forbidden("只有居家服务机构的护理员可以查看派给本机构的工单。");
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        var items = new List<AssignedVisit>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"provider|" + provider}"), cancellationToken: ct))
        {
            var order = await FindAsync(row.RowKey, ct);
            if (order is null || order.Order.ProviderId != provider || order.Order.Status is not (HomeCareOrderStatus.Assigned or HomeCareOrderStatus.CheckedIn)) continue;
            var elder = await elders.GetAsync(order.Order.ElderId, ct);
            items.Add(new AssignedVisit(order.Order.Id, order.Order.ElderId, elder is null ? null : Masking.MaskName(elder.Elder.Name), elder?.Address,
                order.Order.Service, order.Order.Service.ChineseName(), order.Order.ScheduledFor, order.Order.Status, order.Order.Status.ChineseName()));
        }
        items = items.OrderBy(i => i.ScheduledFor).ThenBy(i => i.OrderId, StringComparer.Ordinal).ToList();
        await audit.AppendAsync(caller, new AuditEvent("elderly.homeCare.assigned", AuditOutcome.Success, Detail: $"{provider}: {items.Count} visits"), requestId, ct);
        return Result.Ok(new AssignedVisitList(items.Count, items));
    }

    /// <summary>A provider's month of billed visits (month <c>yyyy-MM</c>), limited to elders in the caller's jurisdiction.</summary>
    public async Task<Result<HomeCareBillingList>> BillingAsync(CallContext call, string provider, string month)
    {
        if (!ProviderPattern().IsMatch(provider)) return Problem.InvalidQuery("provider", "服务机构代码为小写字母、数字或连字符。", "格式不正确");
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            return Problem.InvalidQuery("month", "月份格式为 yyyy-MM。", "格式不正确");
        var lines = (await billing.ProviderMonthAsync(provider, first, call.Cancellation))
            .Where(l => AccessPolicy.InScope(call.Caller, new ResourceScope(l.Jurisdiction))).Select(l => l.Line)
            .OrderBy(l => l.VisitDate).ThenBy(l => l.OrderId, StringComparer.Ordinal).ToList();
        return Result.Ok(new HomeCareBillingList(provider, month, lines.Count, lines.Sum(l => l.BillableHours), lines.Sum(l => l.Amount), lines.Sum(l => l.Subsidy),
            lines.Sum(l => l.ElderPays), lines));
    }

    public async Task<Result<FileBody>> BillingCsvAsync(CallContext call, string provider, string month)
    {
        var list = await BillingAsync(call, provider, month);
        if (list.Problem is { } problem) return problem;
        await audit.AppendAsync(call.Caller, new AuditEvent("elderly.homeCare.billing.csv", AuditOutcome.Success, Detail: $"{provider}/{month}"), call.RequestId, call.Cancellation);
        var csv = BillingCsv(list.Value!);
        return Result.Ok(FileBody.Csv(csv, $"home-care-{provider}-{month}.csv"));
    }

    public static string BillingCsv(HomeCareBillingList list)
    {
        static string M(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        var b = new StringBuilder("工单编号,老人编号,服务项目,服务日期,计费时长（小时）,单价（元/小时）,金额（元）,补贴时长（小时）,补贴金额（元）,老人自付（元）,本月剩余补贴时长（小时）\n");
        foreach (var l in list.Lines)
            b.AppendJoin(',', TextEncoding.ForCsv(l.OrderId), TextEncoding.ForCsv(l.ElderId), TextEncoding.ForCsv(l.Service.ChineseName()),
                l.VisitDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), M(l.BillableHours), M(l.HourlyPrice), M(l.Amount), M(l.SubsidisedHours),
                M(l.Subsidy), M(l.ElderPays), M(l.RemainingHoursAfter)).Append('\n');
        b.AppendJoin(',', "合计", TextEncoding.ForCsv(list.ProviderId), "", TextEncoding.ForCsv(list.Month), M(list.Hours), "", M(list.Amount), "", M(list.Subsidy), M(list.ElderPays), "").Append('\n');
        return b.ToString();
    }

    // ---- steps ----

    enum Who { Staff, Carer }
    const Who StaffOnly = Who.Staff;
    const Who CarerOnly = Who.Carer;

    async Task<Result<HomeCareOrderView>> ChangeAsync(CallContext call, string id, string step, Who who,
        Func<HomeCareOrder, StoredElder, Outcome<HomeCareOrder>> change, Func<TableClient, StoredHomeCareOrder, CancellationToken, Task>? after = null)
    {
        var (caller, requestId, ct) = call;
        var allowed = who == Who.Staff ? caller.IsStaff : caller.Role == Role.CareWorker && caller.Channel is not null;
        if (!allowed) return Problem.Forbidden(who == Who.Staff ? "只有工作人员可以派单或取消工单。" : "只有服务机构的护理员可以签到、签退。");
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        var result = await Optimistic.RetryAsync<Result<(StoredHomeCareOrder Order, StoredElder Elder)>>($"home-care order {id}", async () =>
        {
            var (order, elder, problem) = await LoadForAsync(caller, requestId, id, step, ct);
            if (problem is not null) return problem;
            var changed = change(order!.Order, elder!);
            if (!changed.Accepted)
            {
                await audit.AppendAsync(caller, new AuditEvent($"elderly.homeCare.{step}", AuditOutcome.Denied, elder!.Elder.Id, Detail: $"{id}:{changed.Rejection!.Code}"), requestId, ct);
                return Problem.Rejected(changed.Rejections);
            }
            var next = order with
            {
                Order = changed.Value,
                CheckInBy = step == "checkIn" ? caller.Subject : order.CheckInBy,
                CheckOutBy = step == "checkOut" ? caller.Subject : order.CheckOutBy,
            };
            var response = await table.UpdateEntityAsync(ToEntity(next), order.ETag, TableUpdateMode.Replace, ct);
            return Result.Ok((next with { ETag = response.Headers.ETag ?? default }, elder!));
        }, ct);
        if (result.Problem is { } failed) return failed;
        if (after is not null) await after(table, result.Value.Order, ct);
        await audit.AppendAsync(caller, new AuditEvent($"elderly.homeCare.{step}", AuditOutcome.Success, result.Value.Elder.Elder.Id, Detail: id), requestId, ct);
        return Result.Ok(await ViewAsync(result.Value.Order, result.Value.Elder, ct));
    }

    /// <summary>Loads the order and its elder if the caller may act on it: staff over the elder's community, the assigned provider's carers, the elder and their contacts.</summary>
    async Task<(StoredHomeCareOrder? Order, StoredElder? Elder, Problem? Problem)> LoadForAsync(Caller caller, string requestId, string id, string step, CancellationToken ct)
    {
        var order = await FindAsync(id, ct);
        var elder = order is null ? null : await elders.GetAsync(order.Order.ElderId, ct);
        if (order is null || elder is null) return (null, null, NotFound());
        if (!Reaches(caller, order, elder))
        {
            await audit.AppendAsync(caller, new AuditEvent($"elderly.homeCare.{step}", AuditOutcome.Denied, elder.Elder.Id, Detail: $"{id}:outOfScope"), requestId, ct);
            return (null, null, NotFound());
        }
        return (order, elder, null);
    }

    /// <summary>Who reaches an order: staff over the elder's community, carers of the assigned provider, the elder and their contacts with an account.</summary>
    public static bool Reaches(Caller caller, StoredHomeCareOrder order, StoredElder elder) => caller.Role switch
    {
        Role.CareWorker => caller.Channel is { } company && order.Order.ProviderId == company,
        Role.Citizen => AccessPolicy.InScope(caller, elder.Scope),
        _ => caller.IsStaff && AccessPolicy.InScope(caller, new ResourceScope(order.Jurisdiction)),
    };

    /// <summary>Who confirms: the elder themself, a relative (a named contact), or the community worker on the elder's behalf.</summary>
    public static (VisitConfirmer By, string Name) Confirmer(Caller caller, StoredElder elder)
    {
        if (caller.Role != Role.Citizen) return (VisitConfirmer.CommunityWorker, caller.DisplayName);
        if (caller.PersonId == elder.PersonId) return (VisitConfirmer.Elder, elder.Elder.Name);
        var contact = elder.Contacts.FirstOrDefault(c => c.PersonId == caller.PersonId);
        return (VisitConfirmer.Relative, contact?.Name ?? caller.DisplayName);
    }

    /// <summary>ELDER_DECEASED when the elder died before <paramref name="date"/> (<see cref="ServiceLifecycle.Check"/>): every step stops from the day after death.</summary>
    static Domain.Elderly.Rejection? Deceased(StoredElder elder, DateOnly date) =>
        ServiceLifecycle.Check(elder.EnrolmentFor(ElderCareService.HomeCareBudget), elder.Elder.DiedOn, date, ElderCareService.HomeCareBudget).Rejection is { Code: "ELDER_DECEASED" } r ? r : null;

    Outcome<HomeCareOrder>? Invalid(DateTimeOffset at)
    {
        var now = clock.GetUtcNow();
        if (at > now.AddMinutes(1)) return Outcome<HomeCareOrder>.Reject("HOMECARE_STAMP_IN_FUTURE", "签到、签退时间不能晚于当前时间", "at");
        if (at < now - options.Value.MaxStampAge) return Outcome<HomeCareOrder>.Reject("HOMECARE_STAMP_TOO_OLD", $"签到、签退时间不能早于 {options.Value.MaxStampAge.TotalHours:0} 小时前", "at");
        return null;
    }

    TimeProvider ClockAt(DateTimeOffset? at) => at is { } t ? new FixedClock(t) : clock;

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }

    static (GeoPoint Position, DateTimeOffset? At)? Stamp(VisitStampRequest request) =>
        request.Position is { Latitude: { } lat, Longitude: { } lon } && GeoPoint.Validate(lat, lon) is null ? (new GeoPoint(lat, lon), request.At) : null;

    static Problem StampProblem(VisitStampRequest request) =>
        Problem.Invalid("position", "请提供手机定位（position.latitude、position.longitude，WGS-84）。");

    async Task<StoredHomeCareOrder?> FindAsync(string id, CancellationToken ct)
    {
        if (!Ids.TryParse(id, out _)) return null;
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(id, OrderRow, cancellationToken: ct);
        return found.HasValue ? FromEntity(found.Value!) : null;
    }

    async Task<HomeCareOrderView> ViewAsync(StoredHomeCareOrder s, StoredElder elder, CancellationToken ct)
    {
        var o = s.Order;
        var evv = o.Evv();
        HomeCareBillingLine? line = null;
        if (o.Status == HomeCareOrderStatus.Confirmed && evv.Accepted) line = await billing.LineAsync(o.ElderId, evv.Value.Date, o.Id, ct);
        static PositionBody P(GeoPoint g) => new(g.Latitude, g.Longitude);
        return new HomeCareOrderView(o.Id, o.ElderId, Masking.MaskName(elder.Elder.Name), s.Jurisdiction, o.Service, o.Service.ChineseName(), o.ScheduledFor,
            o.Status, o.Status.ChineseName(), o.ProviderId, o.OrderedAt, s.OrderedBy,
            o.CheckIn is { } i ? new VisitStampView(P(i.Position), i.At, s.CheckInBy) : null,
            o.CheckOut is { } x ? new VisitStampView(P(x.Position), x.At, s.CheckOutBy) : null,
            o.Confirmation is { } c ? new ConfirmationView(c.By, Masking.MaskName(c.Name), c.At) : null,
            o.CancelReason,
            evv.Accepted ? new EvvView(evv.Value.ServiceType, evv.Value.ServiceType.ChineseName(), evv.Value.RecipientId, evv.Value.Date, P(evv.Value.Location),
                evv.Value.ProviderId, s.CheckInBy, evv.Value.Start, evv.Value.End) : null,
            line);
    }

    static TableEntity ProviderRow(string provider, string orderId) => new("provider|" + provider, orderId);
    static TableEntity ElderRow(string elderId, string orderId) => new("elder|" + elderId, orderId);

    /// <summary>
    /// The elder died (a life event, run by the platform): every order not yet started (ordered or assigned) is cancelled, found
    /// through the elder's order rows (PK <c>elder|{elderId}</c>). Orders placed before those rows existed are not found here;
    /// every step of them is refused from the day after death anyway (<see cref="Deceased"/>). Returns how many were cancelled
    /// now (0 the second time).
    /// </summary>
    internal async Task<int> CancelOpenForDeathAsync(string elderId, DateOnly diedOn, string requestId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.ElderlyHomeCareOrders, ct);
        var cancelled = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"elder|" + elderId}"), select: ["RowKey"], cancellationToken: ct))
        {
            var done = await Optimistic.RetryAsync($"home-care order {row.RowKey}", async () =>
            {
                if (await FindAsync(row.RowKey, ct) is not { } order) return false;
                var cancel = order.Order.Cancel($"老人已于{diedOn:yyyy-MM-dd}去世，服务取消");
                if (!cancel.Accepted) return false;
                await table.UpdateEntityAsync(ToEntity(order with { Order = cancel.Value }), order.ETag, TableUpdateMode.Replace, ct);
                return true;
            }, ct);
            if (!done) continue;
            cancelled++;
            await audit.AppendAsync(null, new AuditEvent("elderly.homeCare.cancel", AuditOutcome.Success, elderId, Detail: $"{row.RowKey}:elderDied"), requestId, ct);
        }
        return cancelled;
    }

    TableEntity ToEntity(StoredHomeCareOrder s)
    {
        var o = s.Order;
        var e = new TableEntity(o.Id, OrderRow)
        {
            ["ElderId"] = o.ElderId,
            ["Jurisdiction"] = s.Jurisdiction,
            ["Service"] = o.Service.ToString(),
            ["ScheduledFor"] = o.ScheduledFor.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["OrderedAt"] = o.OrderedAt,
            ["OrderedBy"] = s.OrderedBy,
            ["Status"] = o.Status.ToString(),
            ["ProviderId"] = o.ProviderId,
            ["CancelReason"] = o.CancelReason,
            ["CheckInBy"] = s.CheckInBy,
            ["CheckOutBy"] = s.CheckOutBy,
        };
        if (o.CheckIn is { } i) { e["CheckInLat"] = i.Position.Latitude; e["CheckInLon"] = i.Position.Longitude; e["CheckInAt"] = i.At; }
        if (o.CheckOut is { } x) { e["CheckOutLat"] = x.Position.Latitude; e["CheckOutLon"] = x.Position.Longitude; e["CheckOutAt"] = x.At; }
        if (o.Confirmation is { } c)
        {
            e["ConfirmedBy"] = c.By.ToString();
            e["ConfirmerName"] = cipher.Encrypt(c.Name, $"homeCare:{o.Id}:confirmer");
            e["ConfirmedAt"] = c.At;
        }
        return e;
    }

    StoredHomeCareOrder FromEntity(TableEntity e)
    {
        var id = e.PartitionKey;
        VisitStamp? Stamp(string prefix) => e.GetDateTimeOffset(prefix + "At") is { } at
            ? new VisitStamp(new GeoPoint(e.GetDouble(prefix + "Lat") ?? 0, e.GetDouble(prefix + "Lon") ?? 0), at) : null;
        var order = new HomeCareOrder
        {
            Id = id,
            ElderId = e.GetString("ElderId"),
            Service = Enum.Parse<HomeCareServiceType>(e.GetString("Service")),
            ScheduledFor = DateOnly.ParseExact(e.GetString("ScheduledFor"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
            OrderedAt = e.GetDateTimeOffset("OrderedAt") ?? default,
            Status = Enum.Parse<HomeCareOrderStatus>(e.GetString("Status")),
            ProviderId = e.GetString("ProviderId"),
            CheckIn = Stamp("CheckIn"),
            CheckOut = Stamp("CheckOut"),
            Confirmation = e.GetString("ConfirmedBy") is { } by
                ? new VisitConfirmation(Enum.Parse<VisitConfirmer>(by), cipher.Decrypt(e.GetString("ConfirmerName"), $"homeCare:{id}:confirmer"), e.GetDateTimeOffset("ConfirmedAt") ?? default)
                : null,
            CancelReason = e.GetString("CancelReason"),
        };
        return new StoredHomeCareOrder(order, e.GetString("Jurisdiction"), e.GetString("OrderedBy") ?? "", e.GetString("CheckInBy"), e.GetString("CheckOutBy"), e.ETag);
    }
}
