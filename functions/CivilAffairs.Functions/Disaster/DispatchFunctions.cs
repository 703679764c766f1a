using CivilAffairs.Application.Disaster.Dispatching;
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

/// <summary>Relief dispatches: the lists, the trail, and the team's and staff's steps that move the dispatch orchestration on.</summary>
public sealed class DispatchFunctions(DispatchService dispatches, HttpEndpoint http)
{
    [Function("ListReliefDispatches")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "物资调度单列表（队员任务单、工作人员工作台）",
        Description = "assigned=me：本人所在救灾队伍的任务（默认只列未结束的，按派出时间）；incident：某灾害事件的全部调度单；team：某支队伍的调度单。三者必须指定一项；可按 status 筛选。每项含送货地点、物资、取货仓库（含位置）和配送时限。")]
    [ApiQuery("assigned", "me：本人所在队伍的任务")]
    [ApiQuery("incident", "灾害事件编号")]
    [ApiQuery("team", "队伍编号")]
    [ApiQuery("status", "状态：planned、reserved、teamAssigned、pickedUp、delivered、cancelled、failed", Type = typeof(DispatchStatus))]
    [ApiQuery("pageSize", "每页条数（1–100，默认 50；assigned=me 时不分页）", Type = typeof(int))]
    [ApiQuery("continuationToken", "下一页令牌")]
    [ApiResponse(200, "调度单", Body = typeof(DispatchList))]
    [ApiResponse(400, "查询参数有误")]
    [ApiResponse(404, "事件或队伍不存在或无权查看")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/dispatches")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call =>
        {
            var assigned = Query.Text(req, "assigned");
            if (assigned is not (null or "me"))
                return Task.FromResult<Result<DispatchList>>(Problem.InvalidQuery("assigned", "参数 assigned 只能是 me。", "只能是 me"));
            return Query.Enum<DispatchStatus>(req, "status").ThenAsync(status => Query.Int(req, "pageSize", 1, 100, 50).ThenAsync(pageSize =>
                dispatches.ListAsync(call, new DispatchListQuery(assigned == "me", Query.Text(req, "incident"), Query.Text(req, "team"), status, pageSize,
                    Query.Text(req, "continuationToken")))));
        });

    [Function("GetReliefDispatch")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "查看物资调度单",
        Description = "当前状态、送货地点、各环节（时间、操作人）、按仓库和批次列出的调拨明细、缺口、派出的队伍及理由、升级处理记录和配送时限评估。仅限被派队伍的队员和能看到该事件的工作人员。")]
    [ApiResponse(200, "调度单", Body = typeof(DispatchView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/dispatches/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => dispatches.GetAsync(call, id));

    [Function("PickUpReliefDispatch")]
    [RequirePermission(Permission.ConfirmDelivery)]
    [ApiOperation("disaster", "确认取货", Description = "被派队伍的队员（或能看到该事件的工作人员）在仓库取货后确认；预留的物资随即出库。")]
    [ApiResponse(200, "已取货", Body = typeof(DispatchView))]
    [ApiResponse(404, "不存在或不是派给您的调度单")]
    [ApiResponse(409, "当前环节不能取货")]
    public Task<IActionResult> PickUp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/pickup")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => dispatches.PickUpAsync(call, id));

    [Function("DeliverReliefDispatch")]
    [RequirePermission(Permission.ConfirmDelivery)]
    [ApiOperation("disaster", "确认送达", Request = typeof(DeliveryRequest),
        Description = "受助方签收（签收码 recipientCode，或受助方本人输入的姓名 recipientName，姓名以 SM4 加密保存）和送达现场照片的上传编号 photoUploadId。同一调度单只能确认一次；送达后需求即为已满足。")]
    [ApiResponse(200, "已送达", Body = typeof(DispatchView))]
    [ApiResponse(400, "缺少签收确认或照片")]
    [ApiResponse(404, "不存在或不是派给您的调度单")]
    [ApiResponse(409, "已确认送达，或尚未取货")]
    public Task<IActionResult> Deliver(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/deliver")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<DeliveryRequest, DispatchView>(req, context, 16 * 1024, (call, body) => dispatches.DeliverAsync(call, id, body));

    [Function("CancelReliefDispatch")]
    [RequirePermission(Permission.DispatchRelief)]
    [ApiOperation("disaster", "取消物资调度", Request = typeof(CancelDispatchRequest), Description = "取货前可取消，须说明原因；已预留的库存随即释放，需求重新回到待调度状态。")]
    [ApiResponse(200, "已取消", Body = typeof(DispatchView))]
    [ApiResponse(400, "缺少取消原因")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "已取货或已结束，不能取消")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/cancel")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync<CancelDispatchRequest, DispatchView>(req, context, 16 * 1024, (call, body) => dispatches.CancelAsync(call, id, body));

    [Function("AssignReliefDispatch")]
    [RequirePermission(Permission.DispatchRelief)]
    [ApiOperation("disaster", "改派救灾队伍", Request = typeof(AssignTeamRequest),
        Description = "取货前可改派给另一支负责该事件辖区的在岗队伍，须说明原因；新队伍的队员随即收到任务推送。没有可派队伍时，调度单停留在“已预留”，由工作人员在此指派。")]
    [ApiResponse(200, "已改派", Body = typeof(DispatchView))]
    [ApiResponse(400, "缺少队伍或原因")]
    [ApiResponse(404, "调度单或队伍不存在或不在管辖范围内")]
    [ApiResponse(409, "已取货或已结束，或队伍不能承担")]
    public Task<IActionResult> Assign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/assign")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<AssignTeamRequest, DispatchView>(req, context, 16 * 1024, (call, body) => dispatches.ReassignAsync(call, id, body));
}
