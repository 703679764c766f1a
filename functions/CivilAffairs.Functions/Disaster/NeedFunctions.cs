using CivilAffairs.Application.Disaster.Needs;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Disaster needs (灾情需求): reports from citizens, grid workers and field teams; the ranked worklist.</summary>
public sealed class NeedFunctions(NeedService needs, HttpEndpoint http)
{
    [Function("ReportNeed")]
    [RequirePermission(Permission.ReportNeed)]
    [ApiOperation("disaster", "上报灾情需求", Request = typeof(ReportNeedRequest),
        Description = "群众、网格员、现场工作组上报：灾害事件编号、位置、类别、数量、单位、紧急程度、情况说明、照片编号。200 米、2 小时内同类同单位的上报合并为一条需求（上报次数 +1）；相同 clientReportId 重复提交不重复计数；位置在受灾区域外的照常受理并标记；事件已结束的不再受理。新建的需求自动启动物资调度（如已部署）。")]
    [ApiResponse(201, "新建需求", Body = typeof(NeedReceipt))]
    [ApiResponse(200, "已合并到已有需求，或重复提交", Body = typeof(NeedReceipt))]
    [ApiResponse(400, "请求内容有误（如数量不大于 0）")]
    [ApiResponse(404, "灾害事件不存在")]
    [ApiResponse(409, "灾害事件已结束")]
    public Task<IActionResult> Report(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/needs")] HttpRequest req,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<ReportNeedRequest, NeedReceipt>(req, context, 32 * 1024, needs.ReportAsync);

    [Function("ListNeeds")]
    [RequirePermission(Permission.ReadDisaster)]
    [ApiOperation("disaster", "灾情需求工作台（按优先级排序）",
        Description = "指定事件或本人辖区链上所有进行中事件的需求。待满足的按优先级得分从高到低（紧急程度、类别、上报次数、等待时长、图像分析调整），其余状态按最近上报时间。不含上报人信息。")]
    [ApiQuery("incident", "灾害事件编号")]
    [ApiQuery("status", "open（默认）、fulfilled、cancelled", Type = typeof(NeedStatus))]
    [ApiResponse(200, "需求列表", Body = typeof(NeedList))]
    [ApiResponse(400, "查询参数有误")]
    [ApiResponse(404, "事件不存在或无权查看")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/needs")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<NeedStatus>(req, "status").ThenAsync(status =>
            needs.ListAsync(call, Query.Text(req, "incident"), status ?? NeedStatus.Open)));

    [Function("GetNeed")]
    [RequirePermission(Permission.ReadNeed)]
    [ApiOperation("disaster", "查看灾情需求",
        Description = "工作人员查看本人辖区链上的需求及各次上报（联系电话脱敏；purpose=contact 且角色允许时显示完整号码并记审计）。市民只能查看本人上报的需求的办理状态。")]
    [ApiQuery("purpose", "contact：联系上报人", Type = typeof(AccessPurpose))]
    [ApiResponse(200, "需求", Body = typeof(NeedView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/needs/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<AccessPurpose>(req, "purpose").ThenAsync(purpose => needs.GetAsync(call, id, purpose)));

    [Function("DispatchNeed")]
    [RequirePermission(Permission.DispatchRelief)]
    [ApiOperation("disaster", "为需求重新调度物资",
        Description = "需求的调度单被取消或配送失败后，需求重新回到待调度状态；工作人员可为其启动新的调度（计划、预留、派队）。已有进行中的调度单时返回 409。")]
    [ApiResponse(200, "已启动调度", Body = typeof(NeedView))]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "已在调度中、已结束或无对应物资")]
    public Task<IActionResult> Dispatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/needs/{id}/dispatch")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => needs.DispatchAgainAsync(call, id));
}
