using System.Net.Http.Headers;
using System.Text.Json;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Platform;
using Microsoft.AspNetCore.SignalR.Client;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// The relief loop through the HTTP API: an incident is declared, a citizen reports a need, the need starts a dispatch that
/// reserves stock from the nearest warehouse, the street's field team picks up and delivers, the stock ledger and the dispatch
/// trail show every step, the public feed shows the incident, and the district's command dashboard saw it all live.
/// </summary>
public class ReliefEndToEndTests(DispatchFixture fx) : IClassFixture<DispatchFixture>
{
    [Fact]
    public async Task A_reported_need_is_dispatched_picked_up_and_delivered_with_every_step_on_the_dashboard_and_in_the_ledger()
    {
        var site = new GeoPoint(23.135, 113.335);
        var near = await fx.WarehouseAsync("e2e-near", site, 1.5, ("WATER", "W-2026-01", "2027-06-30", 80));
        var far = await fx.WarehouseAsync("e2e-far", site, 9, ("WATER", "W-2026-02", "2027-06-30", 500));

        // The 天河 district supervisor watches the command dashboard.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate?hub=dashboard");
        negotiate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.TokenAsync("tianhe-approver"));
        var hub = await (await fx.Http.SendAsync(negotiate)).JsonAsync();
        var events = new List<JsonElement>();
        await using var dashboard = new HubConnectionBuilder()
            .WithUrl(hub.GetProperty("url").GetString()!, o => o.AccessTokenProvider = () => Task.FromResult<string?>(hub.GetProperty("accessToken").GetString()))
            .Build();
        dashboard.On<JsonElement>("disaster", e => { lock (events) events.Add(e.Clone()); });
        await dashboard.StartAsync();

        var incident = await (await fx.As("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name = "石牌街道暴雨内涝", type = "rainstorm", level = "III", startedAt = DateTimeOffset.UtcNow.AddHours(-2), jurisdiction = DispatchFixture.Street,
            area = new[] { new[] { 113.32, 23.12 }, new[] { 113.35, 23.12 }, new[] { 113.35, 23.15 }, new[] { 113.32, 23.15 }, new[] { 113.32, 23.12 } },
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

        // Reserved from the nearest warehouse only (it holds enough), and assigned to the street's team.
        var assigned = await fx.WaitForStatusAsync(dispatchId, "teamAssigned");
        var picks = assigned.GetProperty("picks").EnumerateArray().ToList();
        Assert.Equal(near, Assert.Single(picks).GetProperty("warehouseId").GetString());
        Assert.Equal(30m, picks[0].GetProperty("lots").EnumerateArray().Sum(l => l.GetProperty("quantity").GetDecimal()));

        Assert.Equal(200, (int)(await fx.As(DispatchFixture.Team, HttpMethod.Post, $"api/disaster/dispatches/{dispatchId}/pickup")).StatusCode);
        Assert.Equal(200, (int)(await fx.As(DispatchFixture.Team, HttpMethod.Post, $"api/disaster/dispatches/{dispatchId}/deliver",
            new { recipientCode = "QS-2468", photoUploadId = "upload-e2e-photo" })).StatusCode);
        Assert.Equal("delivered", await fx.OutcomeAsync(dispatchId));

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

        string[] Kinds() { lock (events) return events.Select(e => e.GetProperty("kind").GetString()!).ToArray(); }
        for (var i = 0; i < 50 && !Kinds().Contains("dispatch.delivered"); i++) await Task.Delay(100);
        var kinds = Kinds();
        foreach (var kind in new[] { "need.created", "dispatch.planned", "dispatch.reserved", "dispatch.teamAssigned", "dispatch.pickedUp", "dispatch.delivered" })
            Assert.Contains(kind, kinds);
    }
}
