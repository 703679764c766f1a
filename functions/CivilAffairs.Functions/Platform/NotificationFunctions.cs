using System.Text.Json;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>The citizen's in-app inbox and the WeChat subscribe-message delivery.</summary>
public sealed class NotificationFunctions(NotificationService notifications, HttpEndpoint http)
{
    [Function("GetMyNotifications")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("platform", "我的消息", Description = "办件进度通知（最新在前）。须先完成实名认证。")]
    [ApiResponse(200, "消息", Body = typeof(NotificationView[]))]
    [ApiResponse(403, "未实名认证")]
    public Task<IActionResult> Inbox(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/notifications")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, notifications.InboxAsync);

    /// <summary>Sends queued WeChat subscribe messages; failures retry and end in notifications-wechat-poison.</summary>
    [Function("DeliverWeChatNotification")]
    public Task Deliver([QueueTrigger(QueueNames.NotificationsWeChat)] string message, FunctionContext context) =>
        notifications.DeliverWeChatAsync(JsonSerializer.Deserialize<WeChatDelivery>(message, JsonDefaults.Options)
            ?? throw new JsonException("Empty delivery job."), context.CancellationToken);
}
