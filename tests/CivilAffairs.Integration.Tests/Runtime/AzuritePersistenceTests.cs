using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Runtime;

/// <summary>
/// Azurite on disk saves its stores every 30 s (not every 5 s, which serialised every row under load); a clean stop must
/// still keep everything written just before it, as `./run.sh` and Ctrl-C rely on.
/// </summary>
public sealed class AzuritePersistenceTests
{
    [Fact]
    public async Task What_was_written_just_before_a_clean_stop_is_there_after_a_restart()
    {
        var location = Path.Combine(Path.GetTempPath(), "ca-azurite-" + Guid.NewGuid().ToString("N"));
        try
        {
            var marker = Guid.NewGuid().ToString("N");
            await using (var first = await Azurite.StartAsync(location))
            {
                var table = new TableClient(first.ConnectionString, "Persisted");
                await table.CreateIfNotExistsAsync();
                await table.AddEntityAsync(new TableEntity("p", marker) { ["Value"] = 42 });
                var queue = new QueueClient(first.ConnectionString, "persisted");
                await queue.CreateIfNotExistsAsync();
                await queue.SendMessageAsync(marker);
            }

            await using var second = await Azurite.StartAsync(location);
            var row = await new TableClient(second.ConnectionString, "Persisted").GetEntityIfExistsAsync<TableEntity>("p", marker);
            Assert.True(row.HasValue, "the table row written before the stop is gone");
            Assert.Equal(42, row.Value!.GetInt32("Value"));
            var message = (await new QueueClient(second.ConnectionString, "persisted").ReceiveMessageAsync()).Value;
            Assert.Equal(marker, message?.MessageText);
        }
        finally
        {
            try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        }
    }
}
