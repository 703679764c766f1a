using System.Globalization;
using System.Text;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Funeral.Services;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;
using FieldError = CivilAffairs.Domain.Catalog.FieldError;

namespace CivilAffairs.Application.Funeral.Services;

/// <summary>
/// Basic funeral service orders and the fee exemption (惠民殡葬). Staff of a funeral home (their site is their channel) open an order
/// for a deceased, add and remove service lines, settle it (the bill is frozen with a bill number) or cancel it before settlement.
/// The exemption is applied automatically from the person's recorded status: a member of a household with an active 特困 or 低保
/// grant on the date of death (<see cref="AssistanceStatus"/>) has every basic service free. Another site's order answers 404 like a
/// missing one; every access to an order (personal data of the deceased) is audited with the deceased's blind index as subject.
/// </summary>
public sealed class ServiceOrderService(ServiceOrderRepository orders, AssistanceStatus assistance, PersonIndex persons, DeathRegister deaths,
    AuditLog audit, IOptions<FuneralServiceOptions> options, TimeProvider clock)
{
    IReadOnlyList<ServiceItem> Catalogue => options.Value.Catalogue();

    public static Problem OrderNotFound() => Problem.NotFound("SERVICE_ORDER_NOT_FOUND", "服务订单不存在", "没有找到该殡葬服务订单，或您无权查看。");

    static Problem NoSite() => Problem.Forbidden("您的账号未关联殡仪馆，不能办理殡葬服务订单。", "FUNERAL_SITE_REQUIRED", "未关联殡仪馆");

    public static Problem Rejected(ServiceRejection r) => r.Kind switch
    {
        ServiceRejectionKind.State => Problem.Conflict(r.Code, "当前订单状态不允许该操作", r.Reason, [new FieldError(r.Field ?? "", r.Reason)]),
        ServiceRejectionKind.NotFound => Problem.NotFound(r.Code, "不存在", r.Reason),
        _ => Problem.Invalid(r.Field ?? "", r.Reason, r.Code, "请求内容有误"),
    };

    public Task<Result<CatalogueView>> CatalogueAsync(CallContext call) => Result.Ok(new CatalogueView(
        [.. Catalogue.Select(i => new CatalogueItemView(i.Code, i.Name, i.Unit, i.UnitPrice, i.Basic, i.MaxQuantity, i.ExemptQuantity,
            !i.Basic ? "非基本服务，不予减免" : i.ExemptQuantity is { } n ? $"基本服务，减免对象免除（不超过 {n} {i.Unit}）" : "基本服务，减免对象全免"))],
        "惠民殡葬：低保对象、特困供养人员（按救助记录自动认定，以死亡日期时的救助状态为准）的基本殡葬服务费用全免；非基本服务项目按标准价格收费。")).AsTask();

    // ---------------------------------------------------------------- open

    public async Task<Result<OrderView>> OpenAsync(CallContext call, OpenOrderRequest request)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role != Role.FuneralStaff || caller.Channel is not { Length: > 0 } site) return NoSite();
        var today = ChinaTime.Today(clock);
        var errors = new List<FieldError>();
        var id = IdNumber.Validate(request.IdNumber, today);
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "请填写逝者有效的 18 位居民身份证号码。"));
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 50 || TextRules.Check(name) is not null) errors.Add(new FieldError("name", "请填写逝者姓名（不超过 50 个字）。"));
        if (request.DateOfDeath is { } d && (d > today || d < new DateOnly(1900, 1, 1) || id.IsValid && d < id.BirthDate))
            errors.Add(new FieldError("dateOfDeath", "死亡日期不能晚于今天，也不能早于出生日期。"));
        var deathId = request.DeathId?.Trim();
        if (deathId is not null && (deathId.Length is 0 or > 64 || !deathId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            errors.Add(new FieldError("deathId", "死亡登记编号只能由字母、数字、- 和 _ 组成（不超过 64 个字符）。"));
        if (errors.Count > 0)
        {
            await audit.AppendAsync(caller, new AuditEvent("funeral.service.open", AuditOutcome.Denied, id.IsValid ? persons.IndexOf(id.Normalized) : null,
                Detail: "invalid:" + string.Join(",", errors.Select(e => e.Field))), requestId, ct);
            return Problem.Invalid(errors);
        }

        var index = persons.IndexOf(id.Normalized);
        var statusDate = request.DateOfDeath ?? await RegisteredDeathAsync(index, ct) ?? today;
        var group = await ExemptionOfAsync(index, statusDate, ct);
        var order = new ServiceOrder(Ids.New(clock), site, OrderStatus.Open, index, statusDate, deathId, [], group, clock.GetUtcNow(), caller.Subject);
        var deceased = new OrderDeceased(name!, id.Normalized);
        await orders.SaveAsync(order, deceased, default, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.service.open", AuditOutcome.Success, index, Detail: $"{order.Id}:{group?.ToString() ?? "none"}"), requestId, ct);
        return Result.Created(View(order, deceased), $"/api/funeral/service-orders/{order.Id}");
    }

    async Task<DateOnly?> RegisteredDeathAsync(string index, CancellationToken ct) =>
        await deaths.DateOfDeathAsync(index, await persons.JurisdictionOfAsync(index, ct) ?? "440100", ct);

    /// <summary>The exemption group from the assistance records: the programs the person held on <paramref name="on"/>.</summary>
    async Task<ExemptionGroup?> ExemptionOfAsync(string index, DateOnly on, CancellationToken ct)
    {
        var held = await assistance.ProgramsHeldAsync(index, on, ct);
        return Billing.GroupOf(held.Any(h => h.Program == AssistanceProgram.ExtremePoverty), held.Any(h => h.Program == AssistanceProgram.MinimumLivingAllowance));
    }

    // ---------------------------------------------------------------- read

    public async Task<Result<OrderView>> GetAsync(CallContext call, string id)
    {
        var found = await FindAsync(call, id, "funeral.service.read");
        if (found.Problem is { } p) return p;
        var stored = found.Value!;
        await audit.AppendAsync(call.Caller, new AuditEvent("funeral.service.read", AuditOutcome.Success, stored.Order.DeceasedIndex, Detail: id), call.RequestId, call.Cancellation);
        return Result.Ok(View(stored.Order, stored.Deceased));
    }

    /// <summary>The order when the caller is staff of its site; otherwise 404 like a missing one, the denial audited.</summary>
    async Task<Result<StoredOrder>> FindAsync(CallContext call, string id, string action)
    {
        var (caller, requestId, ct) = call;
        var stored = await orders.GetAsync(id, ct);
        if (stored is null || !caller.IsFuneralStaffOf(stored.Order.SiteId))
        {
            await audit.AppendAsync(caller, new AuditEvent(action, stored is null ? AuditOutcome.NotFound : AuditOutcome.Denied, stored?.Order.DeceasedIndex,
                Detail: stored is null ? $"{Safe(id)}:missing" : $"{id}:otherSite"), requestId, ct);
            return OrderNotFound();
        }
        return Result.Ok(stored);
    }

    static string Safe(string id) => ServiceOrderRepository.IsWellFormedId(id) ? id : "malformed";

    // ---------------------------------------------------------------- changes

    public Task<Result<OrderView>> AddLineAsync(CallContext call, string id, AddLineRequest request) =>
        ChangeAsync(call, id, "funeral.service.addLine", (o, _) => ServiceOrderRules.AddLine(o, Catalogue, request.Code?.Trim(), request.Quantity),
            $"{request.Code}x{request.Quantity}");

    public Task<Result<OrderView>> RemoveLineAsync(CallContext call, string id, string lineId) =>
        ChangeAsync(call, id, "funeral.service.removeLine", (o, _) => ServiceOrderRules.RemoveLine(o, lineId), lineId);

    public Task<Result<OrderView>> CancelAsync(CallContext call, string id) =>
        ChangeAsync(call, id, "funeral.service.cancel", (o, _) => ServiceOrderRules.Cancel(o, clock.GetUtcNow(), call.Caller.Subject), null);

    /// <summary>
    /// Settles: the exemption is looked up again (a grant decided or ended since the order was opened counts as it stood on the date
    /// of death), the bill is computed and frozen with its number, and the order is entered in the home's monthly reimbursement ledger.
    /// </summary>
    public Task<Result<OrderView>> SettleAsync(CallContext call, string id)
    {
        // Looked up once per attempt, before the rule runs (the rule itself is plain and synchronous).
        ExemptionGroup? group = null;
        return ChangeAsync(call, id, "funeral.service.settle",
            (o, _) => ServiceOrderRules.Settle(o, Catalogue, group, $"BZ{ChinaTime.Today(clock):yyyyMMdd}{o.Id[^8..]}", clock.GetUtcNow(), call.Caller.Subject),
            null, async o => group = o.Status == OrderStatus.Open ? await ExemptionOfAsync(o.DeceasedIndex, o.StatusDate, call.Cancellation) : o.Exemption);
    }

    async Task<Result<OrderView>> ChangeAsync(CallContext call, string id, string action,
        Func<ServiceOrder, OrderDeceased, (ServiceOrder? Order, ServiceRejection? Rejected)> change, string? detail, Func<ServiceOrder, Task>? prepare = null)
    {
        var (caller, requestId, ct) = call;
        var found = await FindAsync(call, id, action);
        if (found.Problem is { } p) return p;
        ServiceRejection? rejected = null;
        StoredOrder? saved = null;
        try
        {
            saved = await Optimistic.RetryAsync($"funeral service order {id}", async () =>
            {
                var fresh = (await orders.GetAsync(id, ct))!;
                if (prepare is not null) await prepare(fresh.Order);
                var (next, no) = change(fresh.Order, fresh.Deceased);
                rejected = no;
                if (next is null) return fresh;
                var etag = await orders.SaveAsync(next, fresh.Deceased, fresh.ETag, ct);
                return fresh with { Order = next, ETag = etag };
            }, ct);
        }
        catch (ConcurrencyConflictException)
        {
            return Problem.Conflict("CONCURRENT_UPDATE", "订单已被他人修改", "订单正被他人同时修改，请刷新后重试。");
        }
        var subject = saved.Order.DeceasedIndex;
        if (rejected is { } r)
        {
            await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, subject, Detail: $"{id}:{r.Code}"), requestId, ct);
            return Rejected(r);
        }
        if (saved.Order.Status == OrderStatus.Settled) await orders.RecordSettledAsync(saved.Order, ct);
        await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Success, subject, Detail: detail is null ? id : $"{id}:{AuditText(detail)}"), requestId, ct);
        return Result.Ok(View(saved.Order, saved.Deceased));
    }

    /// <summary>What of a request goes into an audit detail: ASCII letters, digits and dashes only, at most 40.</summary>
    static string AuditText(string text) => new([.. text.Take(40).Where(c => char.IsAsciiLetterOrDigit(c) || c == '-')]);

    // ---------------------------------------------------------------- monthly summary

    /// <summary>The caller's funeral home's settled orders of <paramref name="month"/> (yyyy-MM, China time): what the city reimburses.</summary>
    public async Task<Result<ExemptionSummary>> SummaryAsync(CallContext call, string? month)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role != Role.FuneralStaff || caller.Channel is not { Length: > 0 } site) return NoSite();
        month ??= ChinaTime.Today(clock).ToString("yyyy-MM", CultureInfo.InvariantCulture);
        if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return Problem.InvalidQuery("month", "月份格式应为 yyyy-MM。", "月份格式应为 yyyy-MM，例如 2026-12。");
        var rows = (await orders.SettledInAsync(site, month, ct)).OrderBy(r => r.SettledAt).ToList();
        var groups = rows.Where(r => r.Exemption is not null).GroupBy(r => r.Exemption!.Value)
            .Select(g => new GroupTotal(g.Key, Billing.NameOf(g.Key), g.Count(), g.Sum(r => r.Exempted))).OrderBy(g => g.Exemption).ToList();
        await audit.AppendAsync(caller, new AuditEvent("funeral.service.summary", AuditOutcome.Success, Detail: $"{site}:{month}:{rows.Count}"), requestId, ct);
        return Result.Ok(new ExemptionSummary(site, month, rows.Count, rows.Count(r => r.Exempted > 0), rows.Sum(r => r.Total), rows.Sum(r => r.Exempted),
            rows.Sum(r => r.Payable), groups, rows));
    }

    public async Task<Result<FileBody>> SummaryCsvAsync(CallContext call, string? month) =>
        (await SummaryAsync(call, month)).Map(s =>
        {
            var csv = new StringBuilder();
            void Line(params string?[] cells) => csv.AppendJoin(',', cells.Select(TextEncoding.ForCsv)).Append("\r\n");
            static string M(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);
            Line("订单号", "结算单号", "结算时间", "减免对象类别", "费用合计", "减免金额", "应付金额");
            foreach (var r in s.Rows)
                Line(r.OrderId, r.BillNumber, ChinaTime.ToChina(r.SettledAt).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    r.Exemption is { } g ? Billing.NameOf(g) : "", M(r.Total), M(r.Exempted), M(r.Payable));
            Line("合计", "", "", "", M(s.Total), M(s.Exempted), M(s.Payable));
            return FileBody.Csv(csv.ToString(), $"funeral-exemptions-{s.SiteId}-{s.Month}.csv");
        });

    // ---------------------------------------------------------------- views

    OrderView View(ServiceOrder o, OrderDeceased d)
    {
        var bill = o.Bill ?? Billing.Compute(o.Lines, Catalogue, o.Exemption);
        return new OrderView(o.Id, o.SiteId, o.Status, ServiceOrderRules.NameOf(o.Status), new DeceasedView(d.Name, Masking.MaskIdNumber(d.IdNumber)!),
            o.StatusDate, o.DeathId, bill.Exemption, bill.Exemption is { } g ? Billing.NameOf(g) : null, bill.ExemptionReason, bill.Lines,
            bill.Total, bill.Exempted, bill.Payable, o.Bill is not null, o.BillNumber, o.OpenedAt, o.SettledAt, o.CancelledAt);
    }
}
