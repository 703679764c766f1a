using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>
/// The device registry: disaster field devices (registration and revocation by staff under <c>/api/disaster/devices</c>) and the
/// token exchange of every device — field devices and 平安通 alarm terminals — at <c>/api/devices/token</c> (the disaster route
/// <c>/api/disaster/devices/token</c> stays). Alarm terminals are registered under the elder (<c>ElderlyTerminalFunctions</c>).
/// </summary>
public sealed class DeviceFunctions(DeviceService devices, HttpEndpoint http)
{
    [Function("RegisterDisasterDevice")]
    [RequirePermission(Permission.ManageDevices)]
    [ApiOperation("disaster", "登记现场设备（无人机、网格员手机、传感器）", Request = typeof(DeviceRegistration),
        Description = "街道、区、市工作人员在本人管辖范围内登记设备。返回设备编号和设备密钥：密钥只显示这一次，平台只保存其 HMAC-SM3 摘要。")]
    [ApiResponse(201, "已登记（含一次性密钥）", Body = typeof(DeviceCredentials))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "超出管辖范围")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/devices")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<DeviceRegistration, DeviceCredentials>(req, context, 4096, devices.RegisterAsync);

    [Function("GetDisasterDevice")]
    [RequirePermission(Permission.ManageDevices)]
    [ApiOperation("disaster", "查看现场设备", Description = "状态（在用/已吊销）、上传配额与已用量。")]
    [ApiResponse(200, "设备", Body = typeof(DeviceView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/devices/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => devices.GetAsync(call, id));

    [Function("RevokeDisasterDevice")]
    [RequirePermission(Permission.ManageDevices)]
    [ApiOperation("disaster", "吊销现场设备", Description = "设备密钥立即失效；设备已持有的令牌在下一次上传调用时即被拒绝。重复吊销无副作用。")]
    [ApiResponse(200, "已吊销", Body = typeof(DeviceView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/devices/{id}/revoke")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => devices.RevokeAsync(call, id));

    [Function("DisasterDeviceToken")]
    [PublicEndpoint("设备登录入口", Login = true)]
    [ApiOperation("disaster", "设备换取令牌（设备编号 + 设备密钥）", Request = typeof(DeviceTokenRequest),
        Description = "返回平台令牌（角色 device，通道 = 设备编号，2 小时有效）。与登录接口同样限流。")]
    [ApiResponse(200, "令牌", Body = typeof(DeviceSession))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "设备编号或密钥错误，或设备已被吊销")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Token(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/devices/token")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<DeviceTokenRequest, DeviceSession>(req, context, 2048, devices.IssueTokenAsync);

    [Function("DeviceToken")]
    [PublicEndpoint("设备登录入口", Login = true)]
    [ApiOperation("platform", "设备换取令牌（现场设备、平安通终端）", Request = typeof(DeviceTokenRequest),
        Description = "设备编号 + 设备密钥换取平台令牌（角色 device，通道 = 设备编号，2 小时有效）。令牌只能用于该设备所属业务的接口：平安通终端只能上报终端事件，救灾设备只能上传。与登录接口同样限流。")]
    [ApiResponse(200, "令牌", Body = typeof(DeviceSession))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "设备编号或密钥错误，或设备已被吊销")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> GeneralToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "devices/token")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<DeviceTokenRequest, DeviceSession>(req, context, 2048, devices.IssueTokenAsync);
}
