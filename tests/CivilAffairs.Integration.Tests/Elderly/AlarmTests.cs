using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// 平安通 over HTTP on the one-machine runtime, as the people involved drive it: 李建国's terminal is pressed, the alarm reaches
/// the operators' consoles over SignalR, an operator answers and sends his daughter 李娜, who sees the alert in her inbox and on
/// WeChat, arrives and is followed by the community worker who closes it — and the month's SLA report counts it.
/// </summary>
public class AlarmTests(AlarmFixture fx) : IClassFixture<AlarmFixture>
{
    static string Month => DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM");

    [Fact]
    public async Task A_press_reaches_the_desk_at_once_the_relative_is_told_and_arrives_and_the_sla_report_counts_the_call()
    {
        await using var desk1 = await fx.ConnectDeskAsync("pat-operator-1");
        await using var desk2 = await fx.ConnectDeskAsync("pat-operator-2");

        var id = await fx.PressAsync();

        // Both operators' consoles show it (the company group), with who it rings at.
        var pushed = await desk1.NextAsync(id, "offered");
        Assert.Equal("press", pushed.GetProperty("trigger").GetString());
        Assert.Equal("李**", pushed.GetProperty("elderName").GetString());
        await desk2.NextAsync(id, "offered");
        var offeredTo = pushed.GetProperty("offeredTo").GetString()!;
        var other = offeredTo == "pat-operator-1" ? "pat-operator-2" : "pat-operator-1";

        // The queue of the operator it rings at lists it as theirs.
        var queue = await (await fx.As(offeredTo, HttpMethod.Get, "api/elderly/alarms?status=open")).JsonAsync();
        Assert.Contains(queue.EnumerateArray(), i => i.GetProperty("id").GetString() == id && i.GetProperty("offeredToMe").GetBoolean());

        // Answering is for the operator it rings at.
        await (await fx.As(other, HttpMethod.Post, $"api/elderly/alarms/{id}/answer")).AssertProblemAsync(403, "ALARM_NOT_OFFERED_TO_YOU");
        var answered = await fx.As(offeredTo, HttpMethod.Post, $"api/elderly/alarms/{id}/answer");
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        var view = await answered.JsonAsync();
        Assert.Equal("answered", view.GetProperty("status").GetString());
        Assert.Equal("李建国", view.GetProperty("elderName").GetString());
        var contacts = view.GetProperty("contacts").EnumerateArray().ToList();
        Assert.All(contacts, c => Assert.Contains("****", c.GetProperty("phone").GetString()));
        var daughter = contacts.Single(c => c.GetProperty("name").GetString() == "李娜").GetProperty("id").GetString()!;

        // With a purpose the operator may phone the contacts: numbers in full (audited).
        var forCall = await (await fx.As(offeredTo, HttpMethod.Get, $"api/elderly/alarms/{id}?purpose=contact")).JsonAsync();
        Assert.Contains(forCall.GetProperty("contacts").EnumerateArray(), c => c.GetProperty("phone").GetString() == "13800138004");

        var outcome = await fx.As(offeredTo, HttpMethod.Post, $"api/elderly/alarms/{id}/outcome", new { outcome = "relativeSent", responder = daughter, note = "老人在家中摔倒，意识清醒" });
        Assert.True(outcome.IsSuccessStatusCode, await outcome.Content.ReadAsStringAsync());

        // 李娜 is told at once: inbox and WeChat. The contact who did not consent, and the one without an account, are not.
        var inbox = await AlarmFixture.PollAsync(async () =>
        {
            var items = await (await fx.As("citizen-li", HttpMethod.Get, "api/me/notifications")).JsonAsync();
            return items.EnumerateArray().FirstOrDefault(n => n.GetProperty("link").GetString() == $"/api/elderly/alarms/{id}") is { ValueKind: JsonValueKind.Object } n ? (JsonElement?)n : null;
        }, TimeSpan.FromSeconds(30), "李娜's notification");
        Assert.Contains("李建国", inbox!.Value.GetProperty("body").GetString());
        Assert.Contains("李娜", inbox.Value.GetProperty("body").GetString());
        var openId = fx.Runtime.WeChatUsers!.Single(u => u.Key == "citizen-li").OpenId;
        await Http.EventuallyAsync(async () =>
        {
            var messages = await fx.Http.GetFromJsonAsync<JsonElement>(new Uri(fx.Runtime.WeChatSimulator!, $"__sim/messages?touser={Uri.EscapeDataString(openId)}"));
            return messages.EnumerateArray().Any(m => m.GetProperty("data").GetProperty("thing1").GetString() == "平安通紧急呼叫提醒") ? "sent" : null;
        }, TimeSpan.FromSeconds(30), "the WeChat subscribe message");
        var notified = await fx.WaitAsync(id, a => a.GetProperty("notifications").GetArrayLength() > 0, "contacts notified");
        Assert.Equal([daughter], notified.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("contactId").GetString()));

        // What 李娜 sees: what happened and who is coming, no desk internals.
        var relative = await fx.AlarmAsync(id, "citizen-li");
        Assert.Equal("李娜", relative.GetProperty("whoIsComing").GetString());
        Assert.False(relative.TryGetProperty("offeredTo", out _));
        Assert.False(relative.TryGetProperty("contacts", out _));
        // Someone who is not a contact gets what a missing alarm gets.
        await (await fx.As("citizen-zhang", HttpMethod.Get, $"api/elderly/alarms/{id}")).AssertProblemAsync(404, "ALARM_NOT_FOUND");

        // 李娜 arrives (she is the named responder); closing before arrival would have been refused.
        await (await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/alarms/{id}/close", new { note = "未到场" })).AssertProblemAsync(409, "ALARM_RESPONDER_NOT_ON_SITE");
        var arrived = await fx.As("citizen-li", HttpMethod.Post, $"api/elderly/alarms/{id}/arrival", new { position = new { latitude = 23.1222, longitude = 113.2717 } });
        Assert.True(arrived.IsSuccessStatusCode, await arrived.Content.ReadAsStringAsync());
        var closed = await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/alarms/{id}/close", new { note = "老人无大碍，已由女儿陪同" });
        Assert.True(closed.IsSuccessStatusCode, await closed.Content.ReadAsStringAsync());
        Assert.Equal("closed", (await closed.JsonAsync()).GetProperty("status").GetString());
        await desk1.NextAsync(id, "closed");

        // Every step is on the alarm's timeline, and the month's report counts it.
        var final = await fx.AlarmAsync(id);
        Assert.Equal(["raised", "offered", "answered", "outcomeRecorded", "outcomeRecorded", "responderOnSite", "closed"],
            final.GetProperty("timeline").EnumerateArray().Select(s => s.GetProperty("to").GetString()));
        var report = await AlarmFixture.PollAsync(async () =>
        {
            var r = await (await fx.As("pat-supervisor", HttpMethod.Get, $"api/elderly/alarm-reports/monthly?month={Month}&company=pat-center")).JsonAsync();
            return r.GetProperty("alarms").EnumerateArray().Any(a => a.GetProperty("alarmId").GetString() == id && a.TryGetProperty("closedAt", out _)) ? (JsonElement?)r : null;
        }, TimeSpan.FromSeconds(30), "the alarm in the month's report");
        var stats = report!.Value.GetProperty("statistics");
        Assert.True(stats.GetProperty("alarms").GetInt32() >= 1);
        Assert.True(stats.GetProperty("answered").GetInt32() >= 1);
        Assert.Equal("pat-center", stats.GetProperty("company").GetString());

        var csv = await fx.As("pat-supervisor", HttpMethod.Get, $"api/elderly/alarm-reports/monthly.csv?month={Month}&company=pat-center");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.StartsWith("运营单位,月份,告警数", text);
        Assert.Contains(id + ",pat-center,", text);

        // An operator reads no report; a supervisor of another company none of this one.
        await (await fx.As("pat-operator-1", HttpMethod.Get, $"api/elderly/alarm-reports/monthly?month={Month}")).AssertProblemAsync(403, "FORBIDDEN");
    }

    [Fact]
    public async Task A_replayed_event_answers_the_same_alarm_and_nothing_is_counted_twice()
    {
        var eventId = "press-" + Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow.AddSeconds(-2);
        var first = await fx.ReportAsync(eventId, at: at);
        var second = await fx.ReportAsync(eventId, at: at);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var a = await first.JsonAsync();
        var b = await second.JsonAsync();
        var id = a.GetProperty("alarmId").GetString()!;
        Assert.Equal(id, b.GetProperty("alarmId").GetString());
        Assert.False(a.GetProperty("replayed").GetBoolean());
        Assert.True(b.GetProperty("replayed").GetBoolean());
        var all = await (await fx.As("pat-supervisor", HttpMethod.Get, "api/elderly/alarms?status=all")).JsonAsync();
        Assert.Single(all.EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        var report = await (await fx.As("city-admin", HttpMethod.Get, $"api/elderly/alarm-reports/monthly?month={Month}&company=pat-center")).JsonAsync();
        Assert.Single(report.GetProperty("alarms").EnumerateArray(), t => t.GetProperty("alarmId").GetString() == id);
    }

    [Fact]
    public async Task Heartbeats_and_low_battery_keep_the_terminal_alive_without_an_alarm_and_future_events_are_refused()
    {
        var beat = await fx.ReportAsync("hb-" + Guid.NewGuid().ToString("N"), "heartbeat");
        Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
        Assert.False((await beat.JsonAsync()).TryGetProperty("alarmId", out _));
        var low = await fx.ReportAsync("lb-" + Guid.NewGuid().ToString("N"), "lowBattery", battery: 8);
        Assert.Equal(HttpStatusCode.OK, low.StatusCode);
        var terminals = await (await fx.As("yanyunxi-worker", HttpMethod.Get, $"api/elderly/elders/{AlarmFixture.Elder}/terminals")).JsonAsync();
        var demo = terminals.EnumerateArray().Single(t => t.GetProperty("id").GetString() == DemoAlarms.TerminalId);
        Assert.Equal(8, demo.GetProperty("battery").GetInt32());
        Assert.Contains("电量低", demo.GetProperty("maintenanceNote").GetString());
        Assert.True(demo.GetProperty("lastSeenAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        await (await fx.ReportAsync("future-" + Guid.NewGuid().ToString("N"), at: DateTimeOffset.UtcNow.AddHours(1))).AssertProblemAsync(400, "TERMINAL_EVENT_IN_FUTURE");
    }

    [Fact]
    public async Task A_terminal_token_works_only_on_terminal_endpoints_and_a_drone_token_only_on_uploads()
    {
        await (await fx.ReportAsync("drone-" + Guid.NewGuid().ToString("N"), device: "device-drone-01")).AssertProblemAsync(403, "DEVICE_WRONG_AREA");
        await (await fx.As(AlarmFixture.Terminal, HttpMethod.Post, "api/disaster/uploads", new { fileName = "a.jpg", contentType = "image/jpeg", size = 1000 }))
            .AssertProblemAsync(403, "DEVICE_WRONG_AREA");
    }

    [Fact]
    public async Task Staff_register_a_terminal_for_an_elder_of_their_area_which_signs_in_reports_and_is_refused_once_revoked()
    {
        await (await fx.As("shipai-officer", HttpMethod.Post, $"api/elderly/elders/{AlarmFixture.Elder}/terminals", new { kind = "smartSensor" }))
            .AssertProblemAsync(404, "ELDER_NOT_FOUND");
        var registered = await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/elders/{AlarmFixture.Elder}/terminals", new { kind = "smartSensor", name = "厨房燃气探测器" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var credentials = await registered.JsonAsync();
        var terminalId = credentials.GetProperty("terminal").GetProperty("id").GetString()!;
        Assert.Equal(3600, credentials.GetProperty("terminal").GetProperty("heartbeatSeconds").GetInt32());

        var session = await fx.Http.PostAsJsonAsync("api/devices/token", new { deviceId = terminalId, secret = credentials.GetProperty("secret").GetString() });
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
        var token = (await session.JsonAsync()).GetProperty("accessToken").GetString()!;
        var gas = await fx.Http.As(token, HttpMethod.Post, "api/elderly/terminal-events", new { eventId = "gas-1", kind = "gas", at = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.Accepted, gas.StatusCode);
        var alarm = await fx.AlarmAsync((await gas.JsonAsync()).GetProperty("alarmId").GetString()!);
        Assert.Equal("gas", alarm.GetProperty("trigger").GetString());

        var revoked = await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/elders/{AlarmFixture.Elder}/terminals/{terminalId}/revoke");
        Assert.Equal("revoked", (await revoked.JsonAsync()).GetProperty("status").GetString());
        await (await fx.Http.As(token, HttpMethod.Post, "api/elderly/terminal-events", new { eventId = "gas-2", kind = "gas", at = DateTimeOffset.UtcNow }))
            .AssertProblemAsync(401, "DEVICE_REVOKED");
        await (await fx.Http.PostAsJsonAsync("api/devices/token", new { deviceId = terminalId, secret = credentials.GetProperty("secret").GetString() }))
            .AssertProblemAsync(401, "DEVICE_CREDENTIALS_INVALID");
    }

    [Fact]
    public async Task A_deceased_elders_terminal_raises_no_alarm()
    {
        var idNumber = RuntimeFixture.NewIdNumber("440104", new DateOnly(1938, 3, 1).AddDays(Random.Shared.Next(300)));
        var person = await fx.As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name = "周德明", idNumber, phone = "13812345670", address = "广州市越秀区北京街道盐运西社区盐运西路 12 号", jurisdiction = "440104002001" });
        Assert.Equal(HttpStatusCode.Created, person.StatusCode);
        var enrolled = await fx.As("beijing-officer", HttpMethod.Post, "api/elderly/elders", new
        {
            personId = (await person.JsonAsync()).GetProperty("id").GetString(), category = "aged80Plus", livesAlone = true,
            contacts = Array.Empty<object>(), services = new[] { "alarmService" },
        });
        Assert.True(enrolled.StatusCode == HttpStatusCode.Created, await enrolled.Content.ReadAsStringAsync());
        var elderId = (await enrolled.JsonAsync()).GetProperty("id").GetString()!;
        var credentials = await (await fx.As("beijing-officer", HttpMethod.Post, $"api/elderly/elders/{elderId}/terminals", new { kind = "oneButton" })).JsonAsync();
        var token = (await (await fx.Http.PostAsJsonAsync("api/devices/token", new
        {
            deviceId = credentials.GetProperty("terminal").GetProperty("id").GetString(), secret = credentials.GetProperty("secret").GetString(),
        })).JsonAsync()).GetProperty("accessToken").GetString()!;
        var yesterday = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).AddDays(-1).ToString("yyyy-MM-dd");
        Assert.Equal(HttpStatusCode.Created, (await fx.As("beijing-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber, dateOfDeath = yesterday, certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } })).StatusCode);

        // Refused either way: 409 ELDER_DECEASED, or 401 once the elderly subscriber of person.died has revoked the terminal.
        var press = await fx.Http.As(token, HttpMethod.Post, "api/elderly/terminal-events", new { eventId = "p-1", kind = "press", at = DateTimeOffset.UtcNow });
        if (press.StatusCode != HttpStatusCode.Unauthorized) await press.AssertProblemAsync(409, "ELDER_DECEASED");
        var queue = await (await fx.As("pat-supervisor", HttpMethod.Get, "api/elderly/alarms?status=all")).JsonAsync();
        Assert.DoesNotContain(queue.EnumerateArray(), i => i.GetProperty("elderName").GetString() == "周**");
    }

    [Fact]
    public async Task A_terminal_silent_beyond_its_interval_gives_the_community_worker_one_welfare_check()
    {
        var registered = await (await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/elders/{AlarmFixture.Elder}/terminals", new { kind = "phoneApp", heartbeatSeconds = 10 })).JsonAsync();
        var terminalId = registered.GetProperty("terminal").GetProperty("id").GetString()!;
        var check = await AlarmFixture.PollAsync(async () =>
        {
            var list = await (await fx.As("yanyunxi-worker", HttpMethod.Get, "api/elderly/welfare-checks")).JsonAsync();
            return list.GetProperty("items").EnumerateArray().FirstOrDefault(c => Terminal(c) == terminalId) is { ValueKind: JsonValueKind.Object } c ? (JsonElement?)c : null;
        }, TimeSpan.FromSeconds(60), "a welfare check for the silent terminal");
        Assert.Equal("李建国", check!.Value.GetProperty("elderName").GetString());
        Assert.Equal("terminalSilence", check.Value.GetProperty("reason").GetString());
        await Task.Delay(TimeSpan.FromSeconds(5)); // more sweeps: still one check for this silence
        var all = await (await fx.As("yanyunxi-worker", HttpMethod.Get, "api/elderly/welfare-checks?status=all")).JsonAsync();
        Assert.Single(all.GetProperty("items").EnumerateArray(), c => Terminal(c) == terminalId);
        // Another street's officer does not see it; the community worker closes it.
        var other = await (await fx.As("shipai-officer", HttpMethod.Get, "api/elderly/welfare-checks")).JsonAsync();
        Assert.DoesNotContain(other.GetProperty("items").EnumerateArray(), c => Terminal(c) == terminalId);
        var id = check.Value.GetProperty("id").GetString()!;
        await (await fx.As("shipai-officer", HttpMethod.Post, $"api/elderly/welfare-checks/{id}/close", new { note = "x" })).AssertProblemAsync(404, "WELFARE_CHECK_NOT_FOUND");
        var closed = await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/welfare-checks/{id}/close", new { note = "已电话联系，手机没电" });
        Assert.Equal("closed", (await closed.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Steps_relayed_at_once_take_their_outbox_relay_jobs_back()
    {
        // Every change is committed with a relay job scheduled 30 s ahead as the safety net; a relay that delivers at once deletes
        // it, so the queue empties within seconds instead of running a job per change half a minute later.
        var relayJobs = new Azure.Storage.Queues.QueueClient(fx.Azurite.ConnectionString, "outbox-relay");
        var id = await fx.PressAsync();
        var offeredTo = await AlarmFixture.PollAsync(async () =>
        {
            var alarm = await (await fx.As("pat-supervisor", HttpMethod.Get, $"api/elderly/alarms/{id}")).JsonAsync();
            return alarm.TryGetProperty("offeredTo", out var o) && o.GetString() is { } who ? (JsonElement?)o : null;
        }, TimeSpan.FromSeconds(20), "the alarm offered");
        Assert.Equal(HttpStatusCode.OK, (await fx.As(offeredTo!.Value.GetString()!, HttpMethod.Post, $"api/elderly/alarms/{id}/answer")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fx.As(offeredTo.Value.GetString()!, HttpMethod.Post, $"api/elderly/alarms/{id}/outcome", new { outcome = "falseAlarm" })).StatusCode);
        await AlarmFixture.PollAsync(async () => (await relayJobs.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? (bool?)true : null,
            TimeSpan.FromSeconds(10), "the relay jobs taken back");
    }

    [Fact]
    public async Task A_heartbeating_terminal_gets_no_check_and_each_new_silence_gets_its_own()
    {
        var registered = await (await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/elderly/elders/{AlarmFixture.Elder}/terminals", new { kind = "phoneApp", heartbeatSeconds = 10 })).JsonAsync();
        var terminalId = registered.GetProperty("terminal").GetProperty("id").GetString()!;
        var token = (await (await fx.Http.PostAsJsonAsync("api/devices/token", new { deviceId = terminalId, secret = registered.GetProperty("secret").GetString() })).JsonAsync())
            .GetProperty("accessToken").GetString()!;
        var beat = 0;
        async Task Heartbeat() => Assert.Equal(HttpStatusCode.OK,
            (await fx.Http.As(token, HttpMethod.Post, "api/elderly/terminal-events", new { eventId = $"hb-{++beat}", kind = "heartbeat", at = DateTimeOffset.UtcNow, battery = 80 })).StatusCode);
        async Task<int> Checks() => (await (await fx.As("yanyunxi-worker", HttpMethod.Get, "api/elderly/welfare-checks?status=all")).JsonAsync())
            .GetProperty("items").EnumerateArray().Count(c => Terminal(c) == terminalId);

        // Heartbeats every 3 s carry it well past its first due time (registration + 10 s + 1 s grace): no check.
        for (var i = 0; i < 6; i++) { await Heartbeat(); await Task.Delay(TimeSpan.FromSeconds(3)); }
        Assert.Equal(0, await Checks());
        var terminals = await (await fx.As("yanyunxi-worker", HttpMethod.Get, $"api/elderly/elders/{AlarmFixture.Elder}/terminals")).JsonAsync();
        Assert.Equal(80, terminals.EnumerateArray().Single(t => t.GetProperty("id").GetString() == terminalId).GetProperty("battery").GetInt32());

        // It falls silent: one check. Heard from again, then silent again: a second one.
        await AlarmFixture.PollAsync(async () => await Checks() == 1 ? (bool?)true : null, TimeSpan.FromSeconds(60), "a check for the first silence");
        await Heartbeat();
        await AlarmFixture.PollAsync(async () => await Checks() == 2 ? (bool?)true : null, TimeSpan.FromSeconds(60), "a check for the second silence");
    }

    static string? Terminal(JsonElement check) => check.TryGetProperty("terminalId", out var t) ? t.GetString() : null;
}

/// <summary>Nobody answers: the alarm moves to the next operator, then to the supervisor, each pushed to their console.</summary>
public class AlarmEscalationTests(ShortSlaAlarmFixture fx) : IClassFixture<ShortSlaAlarmFixture>
{
    [Fact]
    public async Task An_unanswered_alarm_is_re_offered_then_escalated_to_the_supervisor_who_answers_it()
    {
        await using var desk1 = await fx.ConnectDeskAsync("pat-operator-1");
        await using var desk2 = await fx.ConnectDeskAsync("pat-operator-2");
        await using var supervisor = await fx.ConnectDeskAsync("pat-supervisor");

        var id = await fx.PressAsync();
        var first = (await desk1.NextAsync(id, "offered")).GetProperty("offeredTo").GetString()!;
        var reOffer = await desk1.NextAsync(id, "reOffered");
        var second = reOffer.GetProperty("offeredTo").GetString()!;
        Assert.NotEqual(first, second);
        Assert.StartsWith("pat-operator-", second);
        var escalated = await supervisor.NextAsync(id, "escalated");
        Assert.Equal("pat-supervisor", escalated.GetProperty("offeredTo").GetString());
        Assert.True(escalated.GetProperty("escalated").GetBoolean());

        await (await fx.As(second, HttpMethod.Post, $"api/elderly/alarms/{id}/answer")).AssertProblemAsync(403, "ALARM_NOT_OFFERED_TO_YOU");
        var answered = await fx.As("pat-supervisor", HttpMethod.Post, $"api/elderly/alarms/{id}/answer");
        Assert.True(answered.IsSuccessStatusCode, await answered.Content.ReadAsStringAsync());
        var view = await answered.JsonAsync();
        Assert.Equal((1, true), (view.GetProperty("reOfferCount").GetInt32(), view.GetProperty("escalated").GetBoolean()));

        // An operator may also send it up at once without waiting.
        var next = await fx.PressAsync();
        var ringing = (await desk1.NextAsync(next, "offered")).GetProperty("offeredTo").GetString()!;
        var up = await fx.As(ringing, HttpMethod.Post, $"api/elderly/alarms/{next}/escalate");
        Assert.True(up.IsSuccessStatusCode, await up.Content.ReadAsStringAsync());
        Assert.Equal("pat-supervisor", (await supervisor.NextAsync(next, "escalated")).GetProperty("offeredTo").GetString());
        var closed = await fx.As("pat-supervisor", HttpMethod.Post, $"api/elderly/alarms/{next}/answer");
        Assert.True(closed.IsSuccessStatusCode);
        var falseAlarm = await fx.As("pat-supervisor", HttpMethod.Post, $"api/elderly/alarms/{next}/outcome", new { outcome = "falseAlarm" });
        Assert.Equal("closed", (await falseAlarm.JsonAsync()).GetProperty("status").GetString());
    }
}
