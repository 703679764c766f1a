using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform;

public sealed record AuditVerifyRequest(long? From, long? To);

/// <summary>The audit log for auditors: search and chain verification; the daily anchor timer.</summary>
public sealed class AuditFunctions(AuditLog audit, AccessGuard guard)
{
    [Function("ListAuditEntries")]
    [RequirePermission(Permission.ReadAudit)]
    [ApiOperation("audit", "查询审计日志（审计员）", Description = "按操作人、操作、对象（盲索引）、结果和时间筛选；分页用 continuationToken。")]
    [ApiQuery("actor", "操作人")]
    [ApiQuery("action", "操作，如 person.read")]
    [ApiQuery("subject", "对象盲索引")]
    [ApiQuery("outcome", "结果", Type = typeof(AuditOutcome))]
    [ApiQuery("from", "起始时间（ISO 8601）")]
    [ApiQuery("to", "截止时间（ISO 8601）")]
    [ApiQuery("pageSize", "每页条数（1-200）", Type = typeof(int))]
    [ApiQuery("continuationToken", "下一页标记")]
    [ApiResponse(200, "审计记录", Body = typeof(AuditPage))]
    [ApiResponse(400, "查询参数有误")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非审计员")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit/entries")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!JsonRequest.TryEnumQuery<AuditOutcome>(req, "outcome", out var outcome, out var problem)) return problem!;
        var errors = new List<FieldError>();
        DateTimeOffset? Instant(string name)
        {
            var raw = req.Query[name].ToString();
            if (raw.Length == 0) return null;
            if (DateTimeOffset.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t)) return t;
            errors.Add(new FieldError(name, "须为 ISO 8601 时间。"));
            return null;
        }
        var from = Instant("from");
        var to = Instant("to");
        var pageSize = 50;
        if (req.Query["pageSize"].ToString() is { Length: > 0 } ps && (!int.TryParse(ps, out pageSize) || pageSize is < 1 or > 200))
            errors.Add(new FieldError("pageSize", "须为 1 到 200 的整数。"));
        if (errors.Count > 0) return Problems.Create(400, "INVALID_QUERY", "查询参数有误", "请按 errors 修改查询参数。", errors);

        string? Text(string name) => req.Query[name].ToString() is { Length: > 0 and <= 200 } v ? v : null;
        var page = await audit.QueryAsync(new AuditQuery(Text("actor"), Text("action"), Text("subject"), outcome, from, to, pageSize, Text("continuationToken")), context.CancellationToken);
        await audit.AppendAsync(access.Caller, new AuditEvent("audit.read", AuditOutcome.Success, Detail: $"entries={page.Entries.Count}"), context.InvocationId, context.CancellationToken);
        return new OkObjectResult(page);
    }

    [Function("VerifyAuditChain")]
    [RequirePermission(Permission.VerifyAudit)]
    [ApiOperation("audit", "校验审计日志哈希链（审计员）", Request = typeof(AuditVerifyRequest),
        Description = "重新计算指定序号范围内的 SM3 哈希链（并核对每日锚定），报告第一个断裂位置。")]
    [ApiResponse(200, "校验结果", Body = typeof(AuditVerification))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非审计员")]
    public async Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "audit/verify")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        AuditVerifyRequest range = new(null, null);
        if (req.ContentLength is > 0 || req.Headers.TransferEncoding.Count > 0)
        {
            var body = await JsonRequest.ReadAsync<AuditVerifyRequest>(req, 4096, context.CancellationToken);
            if (!body.Ok) return body.Problem!;
            range = body.Value!;
        }
        if (range.From is < 1 || range.To is < 1 || range.From > range.To)
            return Problems.Validation([new FieldError("from", "序号范围须为正整数且 from ≤ to。")]);
        var result = await audit.VerifyAsync(range.From, range.To, context.CancellationToken);
        await audit.AppendAsync(access.Caller, new AuditEvent("audit.verify", result.Intact ? AuditOutcome.Success : AuditOutcome.Failed,
            Detail: result.Intact ? $"{result.From}-{result.To}" : $"broken at {result.FirstBrokenSequence}: {result.Problem}"), context.InvocationId, context.CancellationToken);
        return new OkObjectResult(result);
    }

    /// <summary>Anchors the chain head daily at 00:05 China time in the write-once audit-anchors container.</summary>
    [Function("AnchorAuditChain")]
    public async Task Anchor([TimerTrigger("0 5 16 * * *")] TimerInfo timer, FunctionContext context)
    {
        var anchored = await audit.AnchorAsync(context.CancellationToken);
        context.GetLogger<AuditFunctions>().LogInformation("Audit anchor written: {Sequence}", anchored?.Sequence);
    }
}

public sealed record DivisionView(string Code, string Name, string? Parent, DivisionLevel Level);

/// <summary>Administrative divisions (public reference data).</summary>
public sealed class JurisdictionFunctions(Application.Platform.Identity.DivisionDirectory divisions, AccessGuard guard)
{
    [Function("ListJurisdictions")]
    [PublicEndpoint("行政区划为公开信息")]
    [ApiOperation("identity", "行政区划", Description = "不带 parent 时返回全部；带 parent 时返回其下一级。")]
    [ApiQuery("parent", "上级区划代码")]
    [ApiResponse(200, "区划列表", Body = typeof(IReadOnlyList<DivisionView>))]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "jurisdictions")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var parent = req.Query["parent"].ToString();
        var list = (parent.Length == 0 ? divisions.All : divisions.ChildrenOf(parent))
            .Select(d => new DivisionView(d.Code, d.Name, d.Parent, d.Level)).ToList();
        return new OkObjectResult(list);
    }
}
