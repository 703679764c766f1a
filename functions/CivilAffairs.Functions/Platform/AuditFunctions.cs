using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Functions.Platform;

/// <summary>The audit log for auditors: search and chain verification; the daily anchor timer.</summary>
public sealed class AuditFunctions(AuditLog audit, HttpEndpoint http)
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
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "audit/entries")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, async call =>
        {
            var outcome = Query.Enum<AuditOutcome>(req, "outcome");
            var from = Query.Instant(req, "from");
            var to = Query.Instant(req, "to");
            var pageSize = Query.Int(req, "pageSize", 1, 200, 50);
            if (new Problem?[] { outcome.Problem, from.Problem, to.Problem, pageSize.Problem }.FirstOrDefault(p => p is not null) is { } bad) return bad;
            string? Text(string name) => Query.Text(req, name) is { Length: <= 200 } v ? v : null;
            return await audit.SearchAsync(call, new AuditQuery(Text("actor"), Text("action"), Text("subject"), outcome.Value, from.Value, to.Value,
                pageSize.Value, Text("continuationToken")));
        });

    [Function("VerifyAuditChain")]
    [RequirePermission(Permission.VerifyAudit)]
    [ApiOperation("audit", "校验审计日志哈希链（审计员）", Request = typeof(AuditVerifyRequest),
        Description = "重新计算指定序号范围内的 SM3 哈希链（并核对每日锚定），报告第一个断裂位置。")]
    [ApiResponse(200, "校验结果", Body = typeof(AuditVerification))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非审计员")]
    public Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "audit/verify")] HttpRequest req,
        FunctionContext context) =>
        http.RunWithOptionalBodyAsync<AuditVerifyRequest, AuditVerification>(req, context, 4096, audit.VerifyAsync);

    /// <summary>Anchors the chain head daily at 00:05 China time in the write-once audit-anchors container.</summary>
    [Function("AnchorAuditChain")]
    public async Task Anchor([TimerTrigger("0 5 16 * * *")] TimerInfo timer, FunctionContext context)
    {
        var anchored = await audit.AnchorAsync(context.CancellationToken);
        context.GetLogger<AuditFunctions>().LogInformation("Audit anchor written: {Sequence}", anchored?.Sequence);
    }
}

/// <summary>Administrative divisions (public reference data).</summary>
public sealed class JurisdictionFunctions(DivisionDirectory divisions, HttpEndpoint http)
{
    [Function("ListJurisdictions")]
    [PublicEndpoint("行政区划为公开信息")]
    [ApiOperation("identity", "行政区划", Description = "不带 parent 时返回全部；带 parent 时返回其下一级。")]
    [ApiQuery("parent", "上级区划代码")]
    [ApiResponse(200, "区划列表", Body = typeof(IReadOnlyList<DivisionView>))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "jurisdictions")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => divisions.ListAsync(call, Query.Text(req, "parent")));
}
