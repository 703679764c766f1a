using System.Net;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.PartnerSimulator.Registry;

namespace CivilAffairs.Integration.Tests.Assistance;

public class VerificationRestartTests
{
    [Fact]
    public async Task Restarting_the_runtime_mid_verification_loses_nothing()
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-verify-restart-" + Guid.NewGuid().ToString("N"));
        RuntimeOptions Options() => RuntimeFixture.Options(azurite.ConnectionString, data, s =>
        {
            AssistanceFixture.Settings(s);
            s["Runtime:HostId"] = "verify-restart";
            // Slow partners, so the runtime stops while requests and replies are in flight.
            s["Runtime:PartnerSimulator:MinLatencyMs"] = "1500";
            s["Runtime:PartnerSimulator:MaxLatencyMs"] = "4000";
            // Generous: requests the stopped simulator had taken are released and answered again by the new one.
            s["Assistance:Verification:DeadlineSeconds"] = "100";
            // Work the stopped runtime had dequeued reappears after this (5 minutes by default, as in Azure).
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout"] = "00:00:15";
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:15";
        });

        string id;
        var first = await FunctionsRuntime.StartAsync(Options());
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            await RuntimeFixture.WaitForCatalogAsync(http);
            await DemoData.SeedAsync(first, TextWriter.Null);
            var officer = await Token(http, "shipai-officer");
            var submitted = await http.As(await Token(http, "citizen-zhang"), HttpMethod.Post, "api/assistance/applications", AssistanceApi.Application(DemoHouseholds.Eligible));
            Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
            id = (await submitted.JsonAsync()).GetProperty("id").GetString()!;
            Assert.Equal(HttpStatusCode.Accepted, (await http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true })).StatusCode);
            await http.WaitForStatusAsync(officer, id, TimeSpan.FromSeconds(60), "verifying");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await FunctionsRuntime.StartAsync(Options());
        using var http2 = new HttpClient { BaseAddress = second.BaseAddress };
        var officer2 = await Token(http2, "shipai-officer");
        await http2.WaitForStatusAsync(officer2, id, TimeSpan.FromSeconds(240), "publicity", "awaitingDecision");
        var verification = await (await http2.As(officer2, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
        // Every unit answered about every member: nothing was lost across the restart.
        Assert.Equal(0, verification.GetProperty("report").GetProperty("unitsNotAnswered").GetArrayLength());
        Assert.Equal("eligible", verification.GetProperty("decision").GetProperty("outcome").GetString());
    }

    static async Task<string> Token(HttpClient http, string account) =>
        (await (await http.PostJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
}
