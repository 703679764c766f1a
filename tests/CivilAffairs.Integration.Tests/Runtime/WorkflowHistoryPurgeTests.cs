using System.Net;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CivilAffairs.Integration.Tests.Runtime;

/// <summary>The hourly purge removes the history of workflows that ended, never a running one, and never the area's own record.</summary>
public sealed class WorkflowHistoryPurgeTests
{
    [Fact]
    public async Task Ended_workflows_lose_their_history_running_ones_and_the_records_stay()
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-purge-" + Guid.NewGuid().ToString("N"));
        await using var runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(azurite.ConnectionString, data, s =>
            s["Catalog:PreReviewValidity"] = "00:00:08"));
        using var http = new HttpClient { BaseAddress = runtime.BaseAddress };
        await RuntimeFixture.WaitForCatalogAsync(http);
        var client = runtime.Services.GetRequiredService<DurableTaskClient>();

        async Task<string> PreReviewAsync()
        {
            var response = await http.PostJsonAsync("api/catalog/services/GZ-CO-001/prereviews", new { facts = new { applicantAge = 30 } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.JsonAsync()).GetProperty("id").GetString()!;
        }
        async Task<OrchestrationMetadata> StatusAsync(string id, OrchestrationRuntimeStatus wanted) =>
            await Http.EventuallyAsync(async () =>
            {
                var s = await client.GetInstanceAsync(PreReviewOrchestrations.InstanceId(id));
                return s?.RuntimeStatus == wanted ? s : null;
            }, TimeSpan.FromSeconds(90), $"expiry workflow of {id} to be {wanted}");

        var ended = await PreReviewAsync();
        await StatusAsync(ended, OrchestrationRuntimeStatus.Completed);
        var running = await PreReviewAsync();
        await StatusAsync(running, OrchestrationRuntimeStatus.Running);

        // Two minutes from now with a one-minute retention: both were created before the cut-off; only the ended one goes.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(WorkflowHistoryPurge.RetentionSetting, "00:01:00")]).Build();
        var purge = new WorkflowHistoryPurge(runtime.Services.GetRequiredService<WorkflowClient>(), configuration,
            new ShiftedClock(TimeSpan.FromMinutes(2)), NullLogger<WorkflowHistoryPurge>.Instance);
        int purged;
        using (runtime.Services.GetRequiredService<WorkflowClient>().Use(client))
            purged = await purge.PurgeAsync(CancellationToken.None);

        Assert.True(purged >= 1, $"purged {purged}");
        Assert.Null(await client.GetInstanceAsync(PreReviewOrchestrations.InstanceId(ended)));
        Assert.NotNull(await client.GetInstanceAsync(PreReviewOrchestrations.InstanceId(running)));
        var view = await (await http.GetAsync($"api/catalog/prereviews/{ended}")).JsonAsync();
        Assert.Equal("expired", view.GetProperty("status").GetString());
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }
    }

    sealed class ShiftedClock(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + by;
    }
}
