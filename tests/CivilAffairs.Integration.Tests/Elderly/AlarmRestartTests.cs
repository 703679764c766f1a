using System.Net;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// The runtime stops while an alarm rings unanswered; a new runtime on the same data still fires the acknowledgement timer
/// (the alarm moves on to the next desk), and the alarm can then be answered and closed.
/// </summary>
public class AlarmRestartTests
{
    [Fact]
    public async Task An_alarm_left_ringing_when_the_runtime_stops_moves_on_after_the_restart_and_can_be_closed()
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-alarm-restart-" + Guid.NewGuid().ToString("N"));
        RuntimeOptions Options() => RuntimeFixture.Options(azurite.ConnectionString, data, s =>
        {
            AlarmFixture.Settings(s, acknowledgeSeconds: 8);
            s["Runtime:HostId"] = "alarm-restart";
            // Work the stopped runtime had dequeued reappears after this (5 minutes by default, as in Azure).
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout"] = "00:00:10";
            s["AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout"] = "00:00:10";
        });

        string id;
        string firstDesk;
        var first = await FunctionsRuntime.StartAsync(Options());
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            await RuntimeFixture.WaitForCatalogAsync(http);
            await DemoData.SeedAsync(first, TextWriter.Null);
            var pressed = await http.As(await Token(http, AlarmFixture.Terminal), HttpMethod.Post, "api/elderly/terminal-events",
                new { eventId = "restart-" + Guid.NewGuid().ToString("N"), kind = "fall", at = DateTimeOffset.UtcNow });
            Assert.Equal(HttpStatusCode.Accepted, pressed.StatusCode);
            id = (await pressed.JsonAsync()).GetProperty("alarmId").GetString()!;
            var alarm = await (await http.As(await Token(http, "pat-supervisor"), HttpMethod.Get, $"api/elderly/alarms/{id}")).JsonAsync();
            Assert.Equal("offered", alarm.GetProperty("status").GetString());
            Assert.Equal(0, alarm.GetProperty("reOfferCount").GetInt32());
            firstDesk = alarm.GetProperty("offeredTo").GetString()!;
            // Give the workflow a moment to start and set its timer, then stop while the alarm still rings.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await FunctionsRuntime.StartAsync(Options());
        using var http2 = new HttpClient { BaseAddress = second.BaseAddress };
        var supervisor = await Token(http2, "pat-supervisor");
        System.Text.Json.JsonElement moved = default;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            moved = await (await http2.As(supervisor, HttpMethod.Get, $"api/elderly/alarms/{id}")).JsonAsync();
            if (moved.GetProperty("reOfferCount").GetInt32() >= 1 || moved.GetProperty("escalated").GetBoolean()) break;
            await Task.Delay(500);
        }
        Assert.True(moved.GetProperty("reOfferCount").GetInt32() >= 1 || moved.GetProperty("escalated").GetBoolean(), $"The acknowledgement timer did not fire after the restart: {moved}");
        var desk = moved.GetProperty("offeredTo").GetString()!;
        Assert.NotEqual(firstDesk, desk);

        var answered = await http2.As(await Token(http2, desk), HttpMethod.Post, $"api/elderly/alarms/{id}/answer");
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        var outcome = await http2.As(await Token(http2, desk), HttpMethod.Post, $"api/elderly/alarms/{id}/outcome", new { outcome = "emergencyRelayed", emergencyReference = "120-20261203-0042" });
        Assert.True(outcome.IsSuccessStatusCode, await outcome.Content.ReadAsStringAsync());
        var closed = await http2.As(await Token(http2, "yanyunxi-worker"), HttpMethod.Post, $"api/elderly/alarms/{id}/close", new { note = "已送医" });
        Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());
        Assert.Equal("closed", (await closed.JsonAsync()).GetProperty("status").GetString());
    }

    static async Task<string> Token(HttpClient http, string account) =>
        (await (await http.PostJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
}
