using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Assistance;

/// <summary>The steps people take in a running case: objections during the publicity, their resolution, the district decision.</summary>
public sealed class CaseFunctions(CaseService cases, HttpEndpoint http)
{
    [Function("RaiseAssistanceObjection")]
    [RequirePermission(Permission.ObjectToAssistance)]
    [ApiOperation("assistance", "对公示提出异议", Request = typeof(ObjectionRequest),
        Description = "公示期内任何居民或所在地工作人员可提出异议；公示暂停，待街道核实后以剩余天数继续。")]
    [ApiResponse(201, "异议已登记", Body = typeof(ObjectionView))]
    [ApiResponse(400, "请写明异议理由")]
    [ApiResponse(404, "申请不存在或不在公示期")]
    [ApiResponse(409, "不在公示期")]
    public Task<IActionResult> Object(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/objections")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<ObjectionRequest, ObjectionView>(req, context, 16 * 1024, (call, body) => cases.RaiseObjectionAsync(call, id, body));

    [Function("ResolveAssistanceObjection")]
    [RequirePermission(Permission.AcceptAssistance)]
    [ApiOperation("assistance", "登记异议核实结果", Request = typeof(ResolutionRequest), Description = "街道核实异议后登记是否成立；全部异议办结后公示继续。")]
    [ApiResponse(200, "已登记", Body = typeof(ObjectionView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "异议已办结")]
    public Task<IActionResult> Resolve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/objections/{objectionId}/resolution")] HttpRequest req,
        string id,
        string objectionId,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<ResolutionRequest, ObjectionView>(req, context, 16 * 1024, (call, body) => cases.ResolveObjectionAsync(call, id, objectionId, body));

    [Function("DecideAssistanceApplication")]
    [RequirePermission(Permission.DecideAssistance)]
    [ApiOperation("assistance", "区民政部门审核确认", Request = typeof(DecisionRequest),
        Description = "approve=true 批准（按项目规则核定月救助金）；false 不予批准，审核意见后自动附上不符合的条件（核对值与标准）。仅限居住地所在区的审核人员。")]
    [ApiResponse(200, "已决定", Body = typeof(ApplicationView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "无权审核确认")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "不在待审核确认环节")]
    public Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/decision")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<DecisionRequest, ApplicationView>(req, context, 16 * 1024, (call, body) => cases.DecideAsync(call, id, body));
}
