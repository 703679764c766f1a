using CivilAffairs.Integration.Tests.Marriage;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Funeral;

/// <summary>
/// The runtime stops while every partner unit's acknowledgement is outstanding (the units' systems were down: nobody read their
/// queue). A new runtime on the same data brings the units back: their receipts reach the workflow started before the restart,
/// whose deadline timer still fires there — the silent bank is sent the event again and then shown late.
/// </summary>
public class TellUsOnceRestartTests
{
    [Fact]
    public async Task Acknowledgements_outstanding_when_the_runtime_stops_are_collected_after_the_restart()
    {
        var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-funeral-restart-" + Guid.NewGuid().ToString("N"));
        RuntimeOptions Options(bool simulator) => RuntimeFixture.Options(azurite.ConnectionString, data, s =>
        {
            TellUsOnceFixture.Settings(s, simulator);
            s["Funeral:TellUsOnce:AcknowledgementDeadline"] = "00:00:20";
            s["Runtime:HostId"] = "funeral-restart";
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout"] = "00:00:10";
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:10";
        });
        FunctionsRuntime? second = null;
        HttpClient? http2 = null;
        try
        {
            Resident informant;
            string reference;
            var first = await FunctionsRuntime.StartAsync(Options(simulator: false));
            try
            {
                using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
                await RuntimeFixture.WaitForCatalogAsync(http);
                await DemoData.SeedAsync(first, TextWriter.Null);
                var api = new MarriageApi(http, first);
                var deceased = await api.AdultAsync(male: true, age: 84);
                informant = await api.AdultAsync(male: false, age: 55);
                reference = (await FuneralApi.RegisterAsync(api, deceased, informant)).GetProperty("reference").GetString()!;
                // Told, nobody confirmed yet.
                var page = await FuneralApi.PageWhenAsync(http, informant.Token, reference,
                    p => FuneralApi.Partners(p).All(o => o.GetProperty("attempts").GetInt32() == 1), TimeSpan.FromSeconds(20));
                Assert.All(FuneralApi.Partners(page), o => Assert.Equal("waiting", o.GetProperty("status").GetString()));
                await Task.Delay(TimeSpan.FromSeconds(2)); // the workflow has started and set its timer
            }
            finally
            {
                await first.DisposeAsync();
            }

            second = await FunctionsRuntime.StartAsync(Options(simulator: true));
            http2 = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            var done = await FuneralApi.PageWhenAsync(http2, informant.Token, reference,
                p => FuneralApi.Partners(p).All(o => o.GetProperty("status").GetString() is "confirmed" or "late")
                     && FuneralApi.Partners(p).Any(o => o.GetProperty("status").GetString() == "late"),
                TimeSpan.FromSeconds(150));
            var partners = FuneralApi.Partners(done).ToDictionary(o => o.GetProperty("code").GetString()!);
            Assert.Equal(8, partners.Values.Count(o => o.GetProperty("status").GetString() == "confirmed"));
            // The late bank was sent the event a second time by the workflow that began before the restart.
            Assert.Equal(2, partners[TellUsOnceFixture.LateUnit].GetProperty("attempts").GetInt32());
            Assert.Equal("late", partners[TellUsOnceFixture.LateUnit].GetProperty("status").GetString());
        }
        finally
        {
            http2?.Dispose();
            if (second is not null) await second.DisposeAsync();
            await azurite.DisposeAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
