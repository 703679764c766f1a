using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Runtime;

/// <summary>
/// The queue process of the embedded Azurite runs with azurite-queue.js, which changes how LokiJS removes messages and
/// finds a queue's messages (removals of a few messages update the indexes in place instead of rebuilding them; a
/// queue's messages are found through the queueName index). Whatever it changes, a queue must still hand out every
/// message exactly once, keep delayed ones hidden, drop expired ones and release returned ones — across several queues
/// sharing one message collection.
/// </summary>
public sealed class AzuriteQueueTests
{
    [Fact]
    public async Task Messages_are_received_once_delayed_ones_stay_hidden_and_expired_ones_go_across_queues()
    {
        await using var azurite = await Azurite.StartAsync(location: null);
        var service = new QueueServiceClient(azurite.ConnectionString);
        var work = service.GetQueueClient("work");
        var other = service.GetQueueClient("other");
        var fewExpiring = service.GetQueueClient("few-expiring");
        var manyExpiring = service.GetQueueClient("many-expiring");
        foreach (var q in new[] { work, other, fewExpiring, manyExpiring }) await q.CreateAsync();

        for (var i = 0; i < 200; i++) await work.SendMessageAsync("w" + i);
        for (var i = 0; i < 50; i++) await work.SendMessageAsync("d" + i, visibilityTimeout: TimeSpan.FromHours(1)); // like durable timers
        for (var i = 0; i < 30; i++) await other.SendMessageAsync("o" + i);
        for (var i = 0; i < 5; i++) await fewExpiring.SendMessageAsync("x" + i, timeToLive: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 40; i++) await manyExpiring.SendMessageAsync("y" + i, timeToLive: TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(2));

        var done = new List<string>();
        var released = new HashSet<string>();
        for (var round = 0; round < 100; round++)
        {
            QueueMessage[] batch = (await work.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (batch.Length == 0) break;
            foreach (var m in batch)
            {
                var n = int.Parse(m.MessageText.AsSpan(1));
                if (n % 5 == 0 && released.Add(m.MessageText))
                    await work.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero); // handed back
                else
                {
                    await work.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                    done.Add(m.MessageText);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, 200).Select(i => "w" + i).Order(StringComparer.Ordinal), done.Order(StringComparer.Ordinal));
        Assert.Equal(40, released.Count);
        Assert.Empty((await work.PeekMessagesAsync(32)).Value);
        Assert.Equal(50, (await work.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(30, (await other.PeekMessagesAsync(32)).Value.Length);
        Assert.Empty((await fewExpiring.ReceiveMessagesAsync(32)).Value);
        Assert.Empty((await manyExpiring.ReceiveMessagesAsync(32)).Value);
        Assert.Equal(0, (await manyExpiring.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(0, (await fewExpiring.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var others = (await other.ReceiveMessagesAsync(32)).Value.Select(m => m.MessageText).Order(StringComparer.Ordinal);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => "o" + i).Order(StringComparer.Ordinal), others);
    }
}
