using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Application.Platform.WeChat;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using CivilAffairs.Application.Platform.Results;

namespace CivilAffairs.Application.Platform.Notifications;

/// <summary>A notification to a person about one of their cases.</summary>
/// <param name="Key">Idempotency key within the person's inbox, e.g. <c>{applicationId}.granted</c>: the same key is delivered once.</param>
/// <param name="Area">Service area code, e.g. <c>assistance</c>.</param>
/// <param name="Title">Short Chinese title (WeChat template thing, at most 20 characters).</param>
/// <param name="Body">Chinese text for the in-app inbox; never contains identifiers.</param>
/// <param name="Link">The API path of the object the notification is about.</param>
public sealed record Notification(string Key, string Area, string Title, string Body, string? Link);

public sealed record NotificationView(string Id, string Area, string Title, string Body, string? Link, DateTimeOffset CreatedAt, bool Read);

/// <summary>Settings (section <c>Notifications</c>).</summary>
public sealed class NotificationOptions
{
    /// <summary>WeChat subscribe template for case progress (办理进度提醒); empty disables WeChat delivery.</summary>
    public string WeChatTemplateId { get; set; } = "";
    /// <summary>The mini-program page a card opens.</summary>
    public string WeChatPage { get; set; } = "pages/cases/detail";
}

/// <summary>WeChat delivery job: ids only.</summary>
public sealed record WeChatDelivery(string PersonId, string NotificationId);

/// <summary>
/// The one notification service: an in-app inbox (table <c>Notifications</c>, PartitionKey = person id, RowKey = the
/// notification key, so a retried step never notifies twice) and, when the person has a WeChat account and a template is
/// configured, a subscribe message sent from the queue <c>notifications-wechat</c> (retried; poison after five failures).
/// </summary>
public sealed class NotificationService(Tables tables, QueueServiceClient queues, CitizenAccounts accounts, WeChatClient wechat,
    IOptions<NotificationOptions> options, TimeProvider clock, ILogger<NotificationService> logger)
{
    public async Task NotifyAsync(string? personId, Notification n, CancellationToken ct)
    {
        if (personId is null) return;
        var table = await tables.GetAsync(TableNames.Notifications, ct);
        var id = n.Key;
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(personId, id, cancellationToken: ct);
        if (existing.HasValue) return;
        await table.UpsertEntityAsync(new TableEntity(personId, id)
        {
            ["Area"] = n.Area,
            ["Title"] = n.Title,
            ["Body"] = n.Body,
            ["Link"] = n.Link,
            ["CreatedAt"] = clock.GetUtcNow(),
            ["Read"] = false,
        }, TableUpdateMode.Replace, ct);
        if (!string.IsNullOrEmpty(options.Value.WeChatTemplateId))
        {
            var queue = queues.GetQueueClient(QueueNames.NotificationsWeChat);
            await queue.CreateIfNotExistsAsync(cancellationToken: ct);
            var job = JsonSerializer.Serialize(new WeChatDelivery(personId, id), JsonDefaults.Options);
            await queue.SendMessageAsync(job, ct); // the client base64-encodes, as queue triggers expect
        }
    }

    /// <summary>Sends the WeChat subscribe message of a stored notification to every WeChat account bound to the person.</summary>
    public async Task DeliverWeChatAsync(WeChatDelivery job, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Notifications, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(job.PersonId, job.NotificationId, cancellationToken: ct);
        if (!found.HasValue || found.Value!.GetBoolean("WeChatSent") == true) return;
        var n = found.Value;
        var data = new Dictionary<string, string>
        {
            ["thing1"] = Truncate(n.GetString("Title"), 20),
            ["thing2"] = Truncate(n.GetString("Body"), 20),
            ["time3"] = Domain.Platform.ChinaTime.ToChina(n.GetDateTimeOffset("CreatedAt")!.Value).ToString("yyyy-MM-dd HH:mm"),
        };
        var sent = 0;
        foreach (var openId in await accounts.OpenIdsOfPersonAsync(job.PersonId, ct))
        {
            var result = await wechat.SendSubscribeMessageAsync(openId, options.Value.WeChatTemplateId, options.Value.WeChatPage, data, ct);
            if (!result.Refused) sent++;
        }
        n["WeChatSent"] = true;
        n["WeChatRecipients"] = sent;
        await table.UpdateEntityAsync(n, n.ETag, TableUpdateMode.Merge, ct);
        logger.LogInformation("Notification {NotificationId} sent to {Count} WeChat account(s)", job.NotificationId, sent);
    }

    /// <summary>The caller's own inbox (citizens who have bound their account).</summary>
    public async Task<Result<IReadOnlyList<NotificationView>>> InboxAsync(CallContext call) =>
        call.Caller.PersonId is { } personId
            ? Result.Ok(await InboxAsync(personId, call.Cancellation))
            : Problem.Forbidden("完成实名认证后才能查看办件消息。", "REAL_NAME_REQUIRED", "请先实名认证");

    public async Task<IReadOnlyList<NotificationView>> InboxAsync(string personId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Notifications, ct);
        var items = new List<NotificationView>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {personId}"), cancellationToken: ct))
            items.Add(new NotificationView(e.RowKey, e.GetString("Area"), e.GetString("Title"), e.GetString("Body"), e.GetString("Link"),
                e.GetDateTimeOffset("CreatedAt")!.Value, e.GetBoolean("Read") ?? false));
        return items.OrderByDescending(i => i.CreatedAt).Take(200).ToList();
    }

    static string Truncate(string? s, int max) => s is null ? "" : s.Length <= max ? s : s[..(max - 1)] + "…";
}
