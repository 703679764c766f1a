using CivilAffairs.Application.Disaster.Public;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Disaster;

/// <summary>Public disaster information (公开灾情信息): no token, rate-limited per client, no personal data.</summary>
public sealed class PublicDisasterFunctions(PublicFeed feed, HttpEndpoint http)
{
    [Function("PublicDisasterAlerts")]
    [PublicEndpoint("公开的灾害应急响应信息，仅含事件、区域、需求分类计数、安置点和物资标准，不含个人信息")]
    [ApiOperation("public", "灾害应急响应公开信息",
        Description = "进行中的灾害事件（级别、类型、区域、发生时间）、待满足需求按类别的计数、安置点容量、救灾物资标准。已结束的事件以 closed 状态保留 24 小时。")]
    [ApiResponse(200, "公开信息", Body = typeof(PublicDisasterInfo))]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Alerts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/disaster/alerts")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, feed.AlertsAsync);

    [Function("PublicDisasterAlertsCapFeed")]
    [PublicEndpoint("公开的 CAP 预警信息索引（Atom），不含个人信息")]
    [ApiOperation("public", "灾害预警 CAP 1.2 信息索引（Atom 订阅）",
        Description = "Atom 1.0 订阅源（application/atom+xml）：每个在发布的事件一个条目，条目内嵌该事件当前的 CAP 1.2 消息（content type application/cap+xml），并链接到单条消息地址。")]
    [ApiResponse(200, "Atom 订阅源")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> CapFeed(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/disaster/alerts.cap")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => feed.CapFeedAsync(call, $"{req.Scheme}://{req.Host}/api/"));

    [Function("PublicIncidentCapAlert")]
    [PublicEndpoint("公开的单条 CAP 预警消息，不含个人信息")]
    [ApiOperation("public", "灾害事件的 CAP 1.2 预警消息",
        Description = "事件当前的 CAP 1.2 消息（application/cap+xml）：启动为 Alert，调整后为 Update，结束后 24 小时内为 Cancel（之后 404）。")]
    [ApiResponse(200, "CAP 1.2 消息")]
    [ApiResponse(404, "事件不存在或已不再发布")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> CapAlert(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "public/disaster/incidents/{id}/alert.cap")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => feed.CapAlertAsync(call, id));
}
