using System.Net.Http.Headers;
using System.Text.Json;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Platform;
using Microsoft.AspNetCore.SignalR.Client;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// The relief loop through the HTTP API, as the people involved use it: the district declares an incident (jurisdiction =
/// the district), the street office registers its field team, a citizen reports a need, the need starts a dispatch that
/// reserves stock from the nearest warehouse and goes to the nearest team; the team member is told, finds the task in their
/// list, picks up and delivers; the need is fulfilled, the stock ledger and the trail show every step, the public feed shows
/// the incident, and the district's command dashboard saw it all live.
/// </summary>
public class ReliefEndToEndTests(DispatchFixture fx) : IClassFixture<DispatchFixture>
{
    [Fact]
    public async Task A_reported_need_is_dispatched_picked_up_and_delivered_with_every_step_on_the_dashboard_and_in_the_ledger()
    {
        var site = new GeoPoint(23.135, 113.335);
        var near = await fx.WarehouseAsync("e2e-near", site, 1.5, ("WATER", "W-2026-01", "2027-06-30", 80));
        var far = await fx.WarehouseAsync("e2e-far", site, 9, ("WATER", "W-2026-02", "2027-06-30", 500));

        // The 天河 district supervisor watches the command dashboard; the team member has the app open.
        var events = new List<JsonElement>();
        await using var dashboard = await ConnectAsync("tianhe-approver", "disaster", events);
        var tasks = new List<JsonElement>();
        await using var phone = await ConnectAsync("huashi-worker", "task", tasks);

        // The street office registers its field team, based at the street's depot.
        var team = await fx.As("shipai-officer", HttpMethod.Post, "api/disaster/teams", new
        {
            id = "E2E-SHIPAI-1", name = "石牌街道救灾一队", jurisdiction = DispatchFixture.Street,
            @base = new { latitude = site.Latitude + 0.01, longitude = site.Longitude }, members = new[] { "huashi-worker" },
        });
        Assert.Equal(201, (int)team.StatusCode);

        var incident = await (await fx.As("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name = "天河区暴雨内涝", type = "rainstorm", level = "III", startedAt = DateTimeOffset.UtcNow.AddHours(-2), jurisdiction = DispatchFixture.District,
            area = new[] { new[] { 113.30, 23.10 }, new[] { 113.36, 23.10 }, new[] { 113.36, 23.16 }, new[] { 113.30, 23.16 }, new[] { 113.30, 23.10 } },
        })).JsonAsync();
        var incidentId = incident.GetProperty("id").GetString()!;

        var reported = await (await fx.As("citizen-zhang", HttpMethod.Post, "api/disaster/needs", new
        {
            incidentId, position = new { latitude = site.Latitude, longitude = site.Longitude }, category = "water", quantity = 30, unit = "箱",
            urgency = "high", description = "小区停水，老人较多", clientReportId = "e2e-1",
        })).JsonAsync();
        var needId = reported.GetProperty("needId").GetString()!;
        var need = await Http.EventuallyAsync(async () =>
        {
            var n = await (await fx.As("tianhe-approver", HttpMethod.Get, $"api/disaster/needs/{needId}")).JsonAsync();
            return n.TryGetProperty("dispatchId", out var d) && d.ValueKind == JsonValueKind.String ? (object)n : null;
        }, TimeSpan.FromSeconds(30), "the need's dispatch");
        var dispatchId = ((JsonElement)need).GetProperty("dispatchId").GetString()!;

        // Reserved from the nearest warehouse only (it holds enough), and assigned to the nearest team of the district.
        var assigned = await fx.WaitForStatusAsync(dispatchId, "teamAssigned");
        Assert.Equal("E2E-SHIPAI-1", assigned.GetProperty("team").GetString());
        var picks = assigned.GetProperty("picks").EnumerateArray().ToList();
        Assert.Equal(near, Assert.Single(picks).GetProperty("warehouseId").GetString());
        Assert.Equal(30m, picks[0].GetProperty("lots").EnumerateArray().Sum(l => l.GetProperty("quantity").GetDecimal()));

        // The member was told, and the task is in their list with where to pick up and where to deliver.
        await Http.EventuallyAsync(() => Task.FromResult(Received(tasks).Any(t => t.GetProperty("data").GetProperty("dispatchId").GetString() == dispatchId) ? "ok" : null),
            TimeSpan.FromSeconds(15), "the task push to the team member");
        var mine = await (await fx.As("huashi-worker", HttpMethod.Get, "api/disaster/dispatches?assigned=me")).JsonAsync();
        var task = Assert.Single(mine.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == dispatchId);
        Assert.Equal(site.Latitude, task.GetProperty("destination").GetProperty("latitude").GetDouble(), 6);
        Assert.True(task.GetProperty("picks")[0].GetProperty("position").TryGetProperty("latitude", out _));
        // Someone not in the team and not over its street or the incident does not see it in their list or act on it.
        var other = await (await fx.As("yanyunxi-worker", HttpMethod.Get, "api/disaster/dispatches?assigned=me")).JsonAsync();
        Assert.DoesNotContain(other.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == dispatchId);
        await (await fx.As("wushan-officer", HttpMethod.Post, $"api/disaster/dispatches/{dispatchId}/pickup")).AssertProblemAsync(404, "DISPATCH_NOT_FOUND");
        // Staff of the district see it in the incident's list.
        var listed = await (await fx.As("tianhe-approver", HttpMethod.Get, $"api/disaster/dispatches?incident={incidentId}")).JsonAsync();
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == dispatchId);

        Assert.Equal(200, (int)(await fx.As("huashi-worker", HttpMethod.Post, $"api/disaster/dispatches/{dispatchId}/pickup")).StatusCode);
        Assert.Equal(200, (int)(await fx.As("huashi-worker", HttpMethod.Post, $"api/disaster/dispatches/{dispatchId}/deliver",
            new { recipientCode = "QS-2468", photoUploadId = "upload-e2e-photo" })).StatusCode);
        Assert.Equal("delivered", await fx.OutcomeAsync(dispatchId));

        // The need is fulfilled (staff view and the reporting citizen's), and the delivered task leaves the member's open list.
        await Http.EventuallyAsync(async () => (await fx.NeedAsync(needId)).GetProperty("status").GetString() == "fulfilled" ? "ok" : null,
            TimeSpan.FromSeconds(20), "the need to be fulfilled");
        Assert.Equal("fulfilled", (await (await fx.As("citizen-zhang", HttpMethod.Get, $"api/disaster/needs/{needId}")).JsonAsync()).GetProperty("status").GetString());
        mine = await (await fx.As("huashi-worker", HttpMethod.Get, "api/disaster/dispatches?assigned=me")).JsonAsync();
        Assert.DoesNotContain(mine.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == dispatchId);

        // The ledger: received, reserved and issued for this dispatch; the far warehouse untouched.
        var stock = await fx.StockAsync(near);
        var moves = stock.GetProperty("movements").EnumerateArray().Where(m => m.GetProperty("reference").GetString() == dispatchId)
            .Select(m => m.GetProperty("kind").GetString()).ToList();
        Assert.Contains("reserve", moves);
        Assert.Contains("issue", moves);
        Assert.DoesNotContain((await fx.StockAsync(far)).GetProperty("movements").EnumerateArray(), m => m.GetProperty("reference").GetString() == dispatchId);
        var trail = (await fx.DispatchAsync(dispatchId)).GetProperty("trail").EnumerateArray().Select(s => s.GetProperty("step").GetString()).ToList();
        Assert.Equal(["planned", "reserved", "teamAssigned", "pickedUp", "delivered"], trail.Where(s => s is "planned" or "reserved" or "teamAssigned" or "pickedUp" or "delivered").ToList());

        // The public feed shows the incident without personal data.
        var alerts = await (await fx.Http.GetAsync("api/public/disaster/alerts")).Content.ReadAsStringAsync();
        Assert.Contains(incidentId, alerts);
        Assert.DoesNotContain("小区停水", alerts);

        string[] Kinds() => Received(events).Select(e => e.GetProperty("kind").GetString()!).ToArray();
        for (var i = 0; i < 50 && !Kinds().Contains("need.fulfilled"); i++) await Task.Delay(100);
        var kinds = Kinds();
        foreach (var kind in new[] { "need.created", "dispatch.planned", "dispatch.reserved", "dispatch.teamAssigned", "dispatch.pickedUp", "dispatch.delivered", "need.fulfilled" })
            Assert.Contains(kind, kinds);
    }

    static IReadOnlyList<JsonElement> Received(List<JsonElement> list) { lock (list) return [.. list]; }

    /// <summary>A SignalR connection of <paramref name="account"/> to the dashboard hub, recording <paramref name="target"/> messages.</summary>
    async Task<HubConnection> ConnectAsync(string account, string target, List<JsonElement> into)
    {
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate?hub=dashboard");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync(account));
        var hub = await (await fx.Http.SendAsync(negotiate)).JsonAsync();
        var connection = new HubConnectionBuilder()
            .WithUrl(hub.GetProperty("url").GetString()!, o => o.AccessTokenProvider = () => Task.FromResult<string?>(hub.GetProperty("accessToken").GetString()))
            .Build();
        connection.On<JsonElement>(target, e => { lock (into) into.Add(e.Clone()); });
        await connection.StartAsync();
        return connection;
    }
}
