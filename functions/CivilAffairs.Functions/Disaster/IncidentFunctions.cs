using CivilAffairs.Application.Disaster.Incidents;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Disaster incidents (灾害事件): declare, read, list, change level, close.</summary>
public sealed class IncidentFunctions(IncidentService incidents, HttpEndpoint http)
{
    [Function("DeclareIncident")]
    [RequirePermission(Permission.ManageIncidents)]
    [ApiOperation("disaster", "启动灾害应急响应（登记灾害事件）", Request = typeof(DeclareIncidentRequest),
        Description = "名称、类型、响应级别（I–IV，I 级最高）、受灾区域多边形（GeoJSON 顺序 [[经度, 纬度], …]）、发生时间、负责的行政区划（须在本人管辖范围内）。响应带 ETag。")]
    [ApiResponse(201, "已登记", Body = typeof(IncidentView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "区划不在管辖范围内")]
    public Task<IActionResult> Declare(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/incidents")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<DeclareIncidentRequest, IncidentView>(req, context, 256 * 1024, incidents.DeclareAsync);

    [Function("ListIncidents")]
    [RequirePermission(Permission.ReadDisaster)]
    [ApiOperation("disaster", "灾害事件列表", Description = "本人管辖范围内（含下级）以及覆盖本人辖区的上级区划登记的灾害事件，最新在前。")]
    [ApiQuery("active", "true 时只列进行中的事件", Type = typeof(bool))]
    [ApiResponse(200, "事件列表", Body = typeof(IncidentList))]
    [ApiResponse(400, "查询参数有误")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/incidents")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Bool(req, "active").ThenAsync(active => incidents.ListAsync(call, active)));

    [Function("GetIncident")]
    [RequirePermission(Permission.ReadDisaster)]
    [ApiOperation("disaster", "查看灾害事件", Description = "响应带 ETag，修改或结束时可用 If-Match 防止覆盖他人的修改。")]
    [ApiResponse(200, "事件", Body = typeof(IncidentView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/incidents/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => incidents.GetAsync(call, id));

    [Function("UpdateIncident")]
    [RequirePermission(Permission.ManageIncidents)]
    [ApiOperation("disaster", "调整灾害事件（响应级别、名称、区域）", Request = typeof(UpdateIncidentRequest),
        Description = "调整响应级别须填写理由 reason，并记入级别调整记录。可带 If-Match（ETag），不一致时返回 412。")]
    [ApiResponse(200, "已调整", Body = typeof(IncidentView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "不是负责该事件的区划")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "事件已结束")]
    [ApiResponse(412, "If-Match 与当前版本不一致")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/incidents/{id}/update")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<UpdateIncidentRequest, IncidentView>(req, context, 256 * 1024, (call, body) => incidents.UpdateAsync(call, id, body, Preconditions.IfMatch(req)));

    [Function("CloseIncident")]
    [RequirePermission(Permission.ManageIncidents)]
    [ApiOperation("disaster", "终止应急响应（结束灾害事件）", Request = typeof(CloseIncidentRequest),
        Description = "结束后不再受理新的需求；公开信息中以“响应终止”（CAP Cancel）保留 24 小时后不再显示。可带 If-Match。")]
    [ApiResponse(200, "已结束", Body = typeof(IncidentView))]
    [ApiResponse(403, "不是负责该事件的区划")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "事件已结束")]
    [ApiResponse(412, "If-Match 与当前版本不一致")]
    public Task<IActionResult> Close(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/incidents/{id}/close")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunWithOptionalBodyAsync<CloseIncidentRequest, IncidentView>(req, context, 16 * 1024, (call, body) => incidents.CloseAsync(call, id, body, Preconditions.IfMatch(req)));
}
