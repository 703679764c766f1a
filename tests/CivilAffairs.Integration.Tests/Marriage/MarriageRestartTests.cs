using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// The runtime stops during a divorce's cooling-off; a new runtime on the same data still ends the cooling-off on time (the
/// durable timer fires there), after which a withdrawal is refused and the couple can be divorced.
/// </summary>
public class MarriageRestartTests
{
    [Fact]
    public async Task A_cooling_off_running_when_the_runtime_stops_ends_after_the_restart()
    {
        var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-marriage-restart-" + Guid.NewGuid().ToString("N"));
        RuntimeOptions Options() => RuntimeFixture.Options(azurite.ConnectionString, data, s =>
        {
            MarriageFixture.Settings(s, coolingOffSeconds: 12, windowSeconds: 600);
            s["Runtime:HostId"] = "marriage-restart";
            // Work the stopped runtime had dequeued reappears after this (5 minutes by default, as in Azure).
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout"] = "00:00:10";
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:10";
        });
        FunctionsRuntime? second = null;
        HttpClient? http2 = null;
        try
        {
            Resident man, woman;
            string divorceId;
            var first = await FunctionsRuntime.StartAsync(Options());
            try
            {
                using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                await RuntimeFixture.WaitForCatalogAsync(http);
                await DemoData.SeedAsync(first, TextWriter.Null);
                var api = new MarriageApi(http, first);
                man = await api.AdultAsync(male: true);
                woman = await api.AdultAsync(male: false);
                var record = await api.MarryAsync(man, woman);
                var divorce = await api.DivorceAsync(man, woman, record.GetProperty("id").GetString()!);
                divorceId = divorce.GetProperty("id").GetString()!;
                // Let the workflow start and set its timer, then stop in the middle of the cooling-off.
                await Task.Delay(TimeSpan.FromSeconds(3));
                Assert.Equal("coolingOff", (await api.DivorceViewAsync(man, divorceId)).GetProperty("status").GetString());
            }
            finally
            {
                await first.DisposeAsync();
            }

            second = await FunctionsRuntime.StartAsync(Options());
            http2 = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var api2 = new MarriageApi(http2, second);
            // Tokens of the first runtime stay valid: the development identity provider's key is kept in the data folder.
            var ended = await api2.WaitForDivorceAsync(man, divorceId, "awaitingAppearance", 120);
            Assert.False(ended.GetProperty("canWithdraw").GetBoolean());
            await (await http2.As(woman.Token, HttpMethod.Post, $"api/marriage/divorces/{divorceId}/withdraw")).AssertProblemAsync(409, "DIVORCE_COOLING_OFF_ENDED");
        }
        finally
        {
            await MarriageFixture.DisposeAsync(http2, second, azurite, data);
        }
    }
}
