using System.Net;
using CivilAffairs.Application.Catalog;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Runtime;

public class DurableRestartTests
{
    [Fact]
    public async Task An_orchestration_started_before_a_runtime_restart_completes_after_it()
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-restart-" + Guid.NewGuid().ToString("N"));
        RuntimeOptions Options() => RuntimeFixture.Options(azurite.ConnectionString, data, s =>
        {
            s["Catalog:PreReviewValidity"] = "00:00:12";
            s["Runtime:HostId"] = "restart-test";
        });

        string id;
        var first = await FunctionsRuntime.StartAsync(Options());
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            await RuntimeFixture.WaitForCatalogAsync(http);
            var response = await http.PostJsonAsync("api/catalog/services/GZ-CO-001/prereviews", new { facts = new { applicantAge = 30 } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            id = (await response.JsonAsync()).GetProperty("id").GetString()!;

            var client = first.Services.GetRequiredService<DurableTaskClient>();
            var running = await Http.EventuallyAsync(async () =>
            {
                var s = await client.GetInstanceAsync(PreReviewOrchestrations.InstanceId(id));
                return s?.RuntimeStatus == OrchestrationRuntimeStatus.Running ? s : null;
            }, TimeSpan.FromSeconds(30), "the expiry workflow to start");
            Assert.NotNull(running);
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The durable timer fires while no runtime is up; the next runtime finishes the work.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await using var second = await FunctionsRuntime.StartAsync(Options());
        using var http2 = new HttpClient { BaseAddress = second.BaseAddress };
        var client2 = second.Services.GetRequiredService<DurableTaskClient>();
        var completed = await Http.EventuallyAsync(async () =>
        {
            var s = await client2.GetInstanceAsync(PreReviewOrchestrations.InstanceId(id), getInputsAndOutputs: true);
            return s?.RuntimeStatus == OrchestrationRuntimeStatus.Completed ? s : null;
        }, TimeSpan.FromSeconds(90), "the expiry workflow to complete after the restart");
        Assert.Equal("true", completed.SerializedOutput);
        var view = await (await http2.GetAsync($"api/catalog/prereviews/{id}")).JsonAsync();
        Assert.Equal("expired", view.GetProperty("status").GetString());
    }
}
