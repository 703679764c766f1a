using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Relief dispatches: the trail, and the team's and staff's steps that move the dispatch orchestration on.</summary>
public sealed class DispatchFunctions(DispatchService dispatches, AccessGuard guard)
{
    [Function("GetReliefDispatch")]
    [RequirePermission(Permission.ViewSupplies)]
    [ApiOperation("disaster", "查看物资调度单",
        Description = "当前状态、各环节（时间、操作人）、按仓库和批次列出的调拨明细、缺口、派出的队伍、升级处理记录和配送时限评估。仅限被派队伍和需求所在地管辖范围内的工作人员。")]
    [ApiResponse(200, "调度单", Body = typeof(DispatchView))]
    [ApiResponse(404, "不存在或无权查看")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/dispatches/{id}")] HttpRequest req,
        string id,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        return DisasterResults.Map(await dispatches.GetAsync(access.Caller!, id, context.CancellationToken));
    }

    [Function("PickUpReliefDispatch")]
    [RequirePermission(Permission.ConfirmDelivery)]
    [ApiOperation("disaster", "确认取货", Description = "被派队伍（或管辖范围内的工作人员）在仓库取货后确认；预留的物资随即出库。")]
    [ApiResponse(200, "已取货", Body = typeof(DispatchView))]
    [ApiResponse(404, "不存在或不是派给您的调度单")]
    [ApiResponse(409, "当前环节不能取货")]
    public async Task<IActionResult> PickUp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/pickup")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        return DisasterResults.Map(await dispatches.PickUpAsync(access.Caller!, id, durable, context.CancellationToken));
    }

    [Function("DeliverReliefDispatch")]
    [RequirePermission(Permission.ConfirmDelivery)]
    [ApiOperation("disaster", "确认送达", Request = typeof(DeliveryRequest),
        Description = "受助方签收（签收码 recipientCode，或受助方本人输入的姓名 recipientName，姓名以 SM4 加密保存）和送达现场照片的上传编号 photoUploadId。同一调度单只能确认一次。")]
    [ApiResponse(200, "已送达", Body = typeof(DispatchView))]
    [ApiResponse(400, "缺少签收确认或照片")]
    [ApiResponse(404, "不存在或不是派给您的调度单")]
    [ApiResponse(409, "已确认送达，或尚未取货")]
    public async Task<IActionResult> Deliver(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/deliver")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<DeliveryRequest>(req, 16 * 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return DisasterResults.Map(await dispatches.DeliverAsync(access.Caller!, id, body.Value!, durable, context.InvocationId, context.CancellationToken));
    }

    [Function("CancelReliefDispatch")]
    [RequirePermission(Permission.DispatchRelief)]
    [ApiOperation("disaster", "取消物资调度", Request = typeof(CancelDispatchRequest), Description = "取货前可取消，须说明原因；已预留的库存随即释放。")]
    [ApiResponse(200, "已取消", Body = typeof(DispatchView))]
    [ApiResponse(400, "缺少取消原因")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "已取货或已结束，不能取消")]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/dispatches/{id}/cancel")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<CancelDispatchRequest>(req, 16 * 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return DisasterResults.Map(await dispatches.CancelAsync(access.Caller!, id, body.Value!, durable, context.CancellationToken));
    }
}
