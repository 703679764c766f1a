using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.SignalR.Client;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// Warehouses, the stock ledger and the dispatch orchestration end to end over HTTP and the real runtime: split
/// reservation, pick-up and delivery by the assigned team, the ledger and its replay, refusals, escalation,
/// cancellation and concurrent reservations against limited stock. Each test works in its own area (warehouses are
/// only planned from within 20 km), so tests do not see each other's stock.
/// </summary>
public class DispatchTests(DispatchFixture fx) : IClassFixture<DispatchFixture>
{
    // Far from the Guangzhou demo warehouses; 0.5° of latitude (≈55 km) between areas.
    static GeoPoint Area(int n) => new(30.0 + n * 0.5, 113.3);
    static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    static IEnumerable<JsonElement> Movements(JsonElement stock, string reference) =>
        stock.GetProperty("movements").EnumerateArray().Where(m => m.GetProperty("reference").GetString() == reference);

    static decimal OnHand(JsonElement stock, string item) =>
        stock.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("itemCode").GetString() == item).Sum(i => i.GetProperty("onHand").GetDecimal());

    static decimal Reserved(JsonElement stock, string item) =>
        stock.GetProperty("items").EnumerateArray().Where(i => i.GetProperty("itemCode").GetString() == item).Sum(i => i.GetProperty("reserved").GetDecimal());

    [Fact]
    public async Task Split_reservation_pickup_and_delivery_by_the_assigned_team_issue_once_and_the_ledger_replays()
    {
        var origin = Area(1);
        var near = await fx.WarehouseAsync(Unique("near"), origin, 1, ("TENT", "T-2026-01", null, 30), ("WATER", "W-1", "2099-01-31", 5));
        var middle = await fx.WarehouseAsync(Unique("mid"), origin, 3, ("TENT", "T-2026-02", null, 50));
        var far = await fx.WarehouseAsync(Unique("far"), origin, 8, ("TENT", "T-2026-03", null, 100));

        var incident = await fx.IncidentAsync(origin, ResponseLevel.III);
        var need = await fx.ReportAsync(incident, origin, "TENT", 60);
        var id = need.GetProperty("dispatchId").GetString()!;
        // A second report of the same need (another grid worker, 30 m away) merges into it: still one dispatch.
        var merged = await fx.ReportAsync(incident, new GeoPoint(origin.Latitude + 0.0003, origin.Longitude), "TENT", 40, "huashi-worker");
        Assert.Equal((need.GetProperty("id").GetString(), id), (merged.GetProperty("id").GetString(), merged.GetProperty("dispatchId").GetString()));

        var view = await fx.WaitForStatusAsync(id, "teamAssigned");
        Assert.Equal(DispatchFixture.TeamId, view.GetProperty("team").GetString());
        Assert.Contains("最近", view.GetProperty("assignmentReason").GetString());
        Assert.Equal(origin.Latitude, view.GetProperty("destination").GetProperty("latitude").GetDouble(), 6);
        var picks = view.GetProperty("picks").EnumerateArray().ToDictionary(p => p.GetProperty("warehouseId").GetString()!, p => p.GetProperty("lots")[0].GetProperty("quantity").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { [near] = 30, [middle] = 30 }, picks);
        Assert.DoesNotContain(far, picks.Keys);
        Assert.All(view.GetProperty("shortfall").EnumerateArray(), s => Assert.Equal(0m, s.GetProperty("shortfall").GetDecimal()));
        Assert.Equal(new[] { "started", "planned", "reserved", "teamAssigned" }, view.GetProperty("trail").EnumerateArray().Select(s => s.GetProperty("step").GetString()!).ToArray());

        // Someone else's team: not theirs to see or confirm.
        await (await fx.As("yanyunxi-worker", HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup")).AssertProblemAsync(404, "DISPATCH_NOT_FOUND");
        await (await fx.As("wushan-officer", HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientCode = "QS-1234", photoUploadId = "photo-1" }))
            .AssertProblemAsync(404, "DISPATCH_NOT_FOUND");
        // Delivery before pick-up is out of order.
        await (await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientCode = "QS-1234", photoUploadId = "photo-1" }))
            .AssertProblemAsync(409, "DISPATCH_STEP_NOT_ALLOWED");

        var picked = await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup");
        Assert.Equal(200, (int)picked.StatusCode);
        await (await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup")).AssertProblemAsync(409, "DISPATCH_STEP_NOT_ALLOWED");

        // Missing confirmation and photo: clear problem with the fields.
        var incomplete = await (await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { })).AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Equal(2, incomplete.GetProperty("errors").GetArrayLength());

        var delivered = await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientName = "王秀兰", photoUploadId = "upload-01JD0000PHOTO" });
        Assert.Equal(200, (int)delivered.StatusCode);
        var second = await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientCode = "QS-9999", photoUploadId = "upload-2" });
        await second.AssertProblemAsync(409, "DISPATCH_ALREADY_DELIVERED");

        Assert.Equal("delivered", await fx.OutcomeAsync(id));
        view = await fx.DispatchAsync(id);
        Assert.Equal("delivered", view.GetProperty("status").GetString());
        Assert.Equal("deliveredInTime", view.GetProperty("deadline").GetProperty("state").GetString());
        Assert.Equal(DispatchFixture.Member, view.GetProperty("delivery").GetProperty("confirmedBy").GetString());
        Assert.Equal(new[] { "started", "planned", "reserved", "teamAssigned", "pickedUp", "delivered" },
            view.GetProperty("trail").EnumerateArray().Select(s => s.GetProperty("step").GetString()!).ToArray());

        // Ledger: receive, reserve and issue (once) with the dispatch id; positions and replay agree.
        foreach (var (warehouse, left) in new[] { (near, 0m), (middle, 20m) })
        {
            var stock = await fx.StockAsync(warehouse);
            var kinds = Movements(stock, id).Select(m => $"{m.GetProperty("kind").GetString()}:{m.GetProperty("quantity").GetDecimal()}:{m.GetProperty("actor").GetString()}").ToArray();
            Assert.Equal(new[] { "reserve:30:system:dispatch", "issue:30:" + DispatchFixture.Member }, kinds);
            Assert.Equal("receive", stock.GetProperty("movements")[0].GetProperty("kind").GetString());
            Assert.Equal(left, OnHand(stock, "TENT"));
            Assert.Equal(0m, Reserved(stock, "TENT"));
            Assert.True(stock.GetProperty("replay").GetProperty("matches").GetBoolean(), stock.GetProperty("replay").ToString());
        }
        Assert.Equal(100m, OnHand(await fx.StockAsync(far), "TENT"));
        // The delivery closed the need through the domain rule.
        await Http.EventuallyAsync(async () => (await fx.NeedAsync(need.GetProperty("id").GetString()!)).GetProperty("status").GetString() == "fulfilled" ? "ok" : null,
            TimeSpan.FromSeconds(20), "the need to be fulfilled");

        // The recipient's name is stored encrypted, never in clear.
        var row = (await new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient("DisasterDispatches").GetEntityAsync<TableEntity>(id, "dispatch")).Value;
        Assert.DoesNotContain("王秀兰", row.GetString("Data"));
        Assert.Contains("sm4gcm.", row.GetString("Data"));
    }

    [Fact]
    public async Task Bad_input_gets_clear_problems_with_stable_codes()
    {
        var origin = Area(2);
        var id = await fx.WarehouseAsync(Unique("bad"), origin, 1);
        async Task<JsonElement> Receipt(object body, int status, string code) =>
            await (await fx.As("city-admin", HttpMethod.Post, $"api/disaster/warehouses/{id}/receipts", body)).AssertProblemAsync(status, code);

        await Receipt(new { itemCode = "TENT", lotNumber = "L1", quantity = 0 }, 400, "QUANTITY_NOT_POSITIVE");
        await Receipt(new { itemCode = "TENT", lotNumber = "L1", quantity = -5 }, 400, "QUANTITY_NOT_POSITIVE");
        var unknown = await Receipt(new { itemCode = "CAVIAR", lotNumber = "L1", quantity = 5 }, 400, "UNKNOWN_RELIEF_ITEM");
        Assert.Equal("itemCode", unknown.GetProperty("errors")[0].GetProperty("field").GetString());
        await Receipt(new { itemCode = "WATER", lotNumber = "W-OLD", expiry = "2020-01-31", quantity = 5 }, 400, "LOT_EXPIRED");
        await Receipt(new { itemCode = "WATER", lotNumber = "W-NEW", quantity = 5 }, 400, "EXPIRY_REQUIRED");
        await Receipt(new { itemCode = "CAVIAR", lotNumber = "", quantity = 0 }, 400, "VALIDATION_FAILED");
        // Same lot, other expiry.
        Assert.True((await fx.As("city-admin", HttpMethod.Post, $"api/disaster/warehouses/{id}/receipts", new { itemCode = "WATER", lotNumber = "W-9", expiry = "2099-05-01", quantity = 5 })).IsSuccessStatusCode);
        await Receipt(new { itemCode = "WATER", lotNumber = "W-9", expiry = "2099-06-01", quantity = 5 }, 409, "LOT_EXPIRY_MISMATCH");

        await (await fx.As("city-admin", HttpMethod.Post, "api/disaster/warehouses", new { id = "x", name = "仓", position = new { latitude = 95, longitude = 0 }, jurisdiction = "44" }))
            .AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await fx.As("city-admin", HttpMethod.Post, "api/disaster/warehouses", new { id, name = "重复仓库", position = new { latitude = 23, longitude = 113 }, jurisdiction = "440106" }))
            .AssertProblemAsync(409, "WAREHOUSE_EXISTS");
        await (await fx.As("shipai-officer", HttpMethod.Post, "api/disaster/warehouses", new { id = Unique("other"), name = "越秀仓库", position = new { latitude = 23, longitude = 113 }, jurisdiction = "440104" }))
            .AssertProblemAsync(403, "OUT_OF_JURISDICTION");
        await (await fx.As("yanyunxi-worker", HttpMethod.Get, $"api/disaster/warehouses/{id}/stock")).AssertProblemAsync(404, "WAREHOUSE_NOT_FOUND");
        await (await fx.As("city-admin", HttpMethod.Get, "api/disaster/dispatches/01JCZ8DEM00000000000000099")).AssertProblemAsync(404, "DISPATCH_NOT_FOUND");

        // A need with nothing to send (category other) stands without a dispatch; staff cannot start one for it.
        var incident = await fx.IncidentAsync(origin, ResponseLevel.III);
        var other = await (await fx.As("shipai-officer", HttpMethod.Post, "api/disaster/needs", new
        {
            incidentId = incident, position = new { latitude = origin.Latitude, longitude = origin.Longitude }, category = "other", quantity = 1, unit = "处",
        })).JsonAsync();
        Assert.False(other.GetProperty("need").TryGetProperty("dispatchId", out _));
        await (await fx.As("shipai-officer", HttpMethod.Post, $"api/disaster/needs/{other.GetProperty("needId").GetString()}/dispatch")).AssertProblemAsync(409, "NEED_NOT_DISPATCHABLE");

        // The warehouse list is scoped: Yuexiu staff do not see Tianhe warehouses.
        var mine = await (await fx.As("shipai-officer", HttpMethod.Get, "api/disaster/warehouses")).JsonAsync();
        Assert.Contains(mine.EnumerateArray(), w => w.GetProperty("id").GetString() == id);
        var theirs = await (await fx.As("yanyunxi-worker", HttpMethod.Get, "api/disaster/warehouses")).JsonAsync();
        Assert.DoesNotContain(theirs.EnumerateArray(), w => w.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task An_overdue_dispatch_escalates_and_keeps_waiting_for_the_team()
    {
        var origin = Area(3);
        await fx.WarehouseAsync(Unique("esc"), origin, 2, ("QUILT", "Q-1", null, 40));

        // The district supervisor watches the command dashboard.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "api/realtime/negotiate?hub=dashboard");
        negotiate.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await fx.TokenAsync("tianhe-approver"));
        var hub = await (await fx.Http.SendAsync(negotiate)).JsonAsync();
        var events = new List<JsonElement>();
        await using var dashboard = new HubConnectionBuilder()
            .WithUrl(hub.GetProperty("url").GetString()!, o => o.AccessTokenProvider = () => Task.FromResult<string?>(hub.GetProperty("accessToken").GetString()))
            .Build();
        dashboard.On<JsonElement>("disaster", e => { lock (events) events.Add(e.Clone()); });
        await dashboard.StartAsync();

        var id = await fx.DispatchAsync(origin, ResponseLevel.I, "QUILT", 10);

        var view = await fx.WaitAsync(id, v => v.GetProperty("escalated").GetBoolean(), "escalation", 30);
        Assert.Equal("teamAssigned", view.GetProperty("status").GetString());
        var first = view.GetProperty("escalations")[0];
        Assert.Equal("atRisk", first.GetProperty("state").GetString());
        Assert.True(first.GetProperty("fractionUsed").GetDecimal() >= 0.8m);
        Assert.Contains(view.GetProperty("trail").EnumerateArray(), s => s.GetProperty("step").GetString() == "escalated");

        view = await fx.WaitAsync(id, v => v.GetProperty("escalations").GetArrayLength() == 2, "overdue escalation", 30);
        Assert.Equal("overdue", view.GetProperty("escalations")[1].GetProperty("state").GetString());
        Assert.Equal("overdue", view.GetProperty("deadline").GetProperty("state").GetString());

        // Still waiting: the team can carry on.
        Assert.Equal(200, (int)(await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup")).StatusCode);
        Assert.Equal(200, (int)(await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientCode = "QS-5678", photoUploadId = "photo-esc" })).StatusCode);
        Assert.Equal("delivered", await fx.OutcomeAsync(id));
        Assert.Equal("deliveredLate", (await fx.DispatchAsync(id)).GetProperty("deadline").GetProperty("state").GetString());

        string[] Kinds()
        {
            lock (events)
                return events.Where(e => e.GetProperty("kind").GetString()!.StartsWith("dispatch.", StringComparison.Ordinal)
                    && e.GetProperty("data").GetProperty("dispatchId").GetString() == id).Select(e => e.GetProperty("kind").GetString()!).ToArray();
        }
        for (var i = 0; i < 50 && !Kinds().Contains("dispatch.delivered"); i++) await Task.Delay(100);
        Assert.Equal(new[] { "dispatch.planned", "dispatch.reserved", "dispatch.teamAssigned", "dispatch.escalated", "dispatch.escalated", "dispatch.pickedUp", "dispatch.delivered" }, Kinds());
    }

    [Fact]
    public async Task A_cancelled_dispatch_releases_its_reservations()
    {
        var origin = Area(4);
        var warehouse = await fx.WarehouseAsync(Unique("cxl"), origin, 1, ("COT", "C-1", null, 20));
        var incident = await fx.IncidentAsync(origin, ResponseLevel.III);
        var need = await fx.ReportAsync(incident, origin, "COT", 12);
        var id = need.GetProperty("dispatchId").GetString()!;
        await fx.WaitForStatusAsync(id, "teamAssigned");
        Assert.Equal(12m, Reserved(await fx.StockAsync(warehouse), "COT"));

        // The field team may not cancel; a reason is required; staff in scope cancel.
        await (await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/cancel", new { reason = "道路中断" })).AssertProblemAsync(403, "FORBIDDEN");
        await (await fx.As("shipai-officer", HttpMethod.Post, $"api/disaster/dispatches/{id}/cancel", new { })).AssertProblemAsync(400, "VALIDATION_FAILED");
        var cancelled = await fx.As("shipai-officer", HttpMethod.Post, $"api/disaster/dispatches/{id}/cancel", new { reason = "需求已由其他渠道满足" });
        Assert.Equal(200, (int)cancelled.StatusCode);

        Assert.Equal("cancelled", await fx.OutcomeAsync(id));
        var stock = await fx.StockAsync(warehouse);
        Assert.Equal(new[] { "reserve:12", "release:12" }, Movements(stock, id).Select(m => $"{m.GetProperty("kind").GetString()}:{m.GetProperty("quantity").GetDecimal()}").ToArray());
        Assert.Equal(0m, Reserved(stock, "COT"));
        Assert.Equal(20m, OnHand(stock, "COT"));
        Assert.True(stock.GetProperty("replay").GetProperty("matches").GetBoolean());
        await (await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup")).AssertProblemAsync(409, "DISPATCH_STEP_NOT_ALLOWED");

        // The cancellation reopened the need: open, without a dispatch, and staff can dispatch it again.
        var needId = need.GetProperty("id").GetString()!;
        await Http.EventuallyAsync(async () => (await fx.NeedAsync(needId)).TryGetProperty("dispatchId", out _) ? null : "ok", TimeSpan.FromSeconds(20), "the need to reopen");
        Assert.Equal("open", (await fx.NeedAsync(needId)).GetProperty("status").GetString());
        var again = await (await fx.As("shipai-officer", HttpMethod.Post, $"api/disaster/needs/{needId}/dispatch")).JsonAsync();
        var second = again.GetProperty("dispatchId").GetString()!;
        Assert.NotEqual(id, second);
        await fx.WaitForStatusAsync(second, "teamAssigned");
        await (await fx.As("shipai-officer", HttpMethod.Post, $"api/disaster/needs/{needId}/dispatch")).AssertProblemAsync(409, "NEED_ALREADY_DISPATCHED");
    }

    [Fact]
    public async Task Concurrent_dispatches_never_reserve_more_than_is_on_hand()
    {
        var origin = Area(5);
        var warehouse = await fx.WarehouseAsync(Unique("race"), origin, 1, ("BLANKET", "B-1", null, 6), ("BLANKET", "B-2", null, 4));
        var incident = await fx.IncidentAsync(origin, ResponseLevel.III);
        // Six needs at once, 330 m apart (no merging), each asking for 3 blankets: 18 wanted, 10 on hand.
        var needs = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => fx.ReportAsync(incident, new GeoPoint(origin.Latitude + i * 0.003, origin.Longitude), "BLANKET", 3)));
        var ids = needs.Select(n => n.GetProperty("dispatchId").GetString()!).ToArray();
        Assert.Equal(6, ids.Distinct().Count());
        // The first need's dispatch started twice at the same moment (the needs side retrying): still one dispatch.
        var services = fx.Runtime.Services;
        using (services.GetRequiredService<CivilAffairs.Orchestrations.Platform.WorkflowClient>().Use(fx.Durable))
        {
            var storedIncident = (await services.GetRequiredService<CivilAffairs.Application.Disaster.Incidents.IncidentService>().LoadAsync(incident, CancellationToken.None))!.Incident;
            var storedNeed = (await services.GetRequiredService<CivilAffairs.Application.Disaster.Needs.NeedService>().LoadAsync(needs[0].GetProperty("id").GetString()!, CancellationToken.None))!.Need;
            var starter = services.GetRequiredService<CivilAffairs.Application.Disaster.IDispatchStarter>();
            var twice = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => starter.StartAsync(storedIncident, storedNeed, [new("BLANKET", 3)], CancellationToken.None)));
            Assert.All(twice, t => Assert.Equal(ids[0], t.Value));
        }

        var views = await Task.WhenAll(ids.Select(id => fx.WaitForStatusAsync(id, "teamAssigned", "failed")));
        var stock = await fx.StockAsync(warehouse);
        var reserved = Reserved(stock, "BLANKET");
        Assert.True(reserved is > 0m and <= 10m, $"reserved {reserved} of 10");
        Assert.Equal(10m, OnHand(stock, "BLANKET"));
        Assert.True(stock.GetProperty("replay").GetProperty("matches").GetBoolean());

        // What the dispatches hold is exactly what the ledger reserves for them; stock ran out, so someone fell short.
        decimal held = 0;
        foreach (var (id, view) in ids.Zip(views))
        {
            var forThis = Movements(stock, id).Sum(m => m.GetProperty("kind").GetString() switch { "reserve" => m.GetProperty("quantity").GetDecimal(), "release" => -m.GetProperty("quantity").GetDecimal(), _ => 0 });
            if (view.GetProperty("status").GetString() == "teamAssigned")
                Assert.Equal(view.GetProperty("picks").EnumerateArray().SelectMany(p => p.GetProperty("lots").EnumerateArray()).Sum(l => l.GetProperty("quantity").GetDecimal()), forThis);
            else
                Assert.Equal(0m, forThis);
            held += forThis;
        }
        Assert.Equal(reserved, held); // every unit reserved belongs to exactly one live dispatch
        Assert.Contains(views, v => v.GetProperty("status").GetString() == "failed"
            || v.GetProperty("shortfall").EnumerateArray().Any(s => s.GetProperty("shortfall").GetDecimal() > 0));
    }

    [Fact]
    public async Task Among_two_dozen_warehouses_the_nearest_are_planned_first_and_lots_first_expiry_first_out()
    {
        var origin = Area(6);
        var ids = new List<string>();
        for (var km = 1; km <= 24; km++)
            ids.Add(await fx.WarehouseAsync(Unique($"w{km:00}"), origin, km * 0.9, ("FOOD", "F-LATE", "2099-12-31", 5), ("FOOD", "F-EARLY", "2098-06-30", 5)));

        var id = await fx.DispatchAsync(origin, ResponseLevel.II, "FOOD", 25);
        var view = await fx.WaitForStatusAsync(id, "teamAssigned");
        var picks = view.GetProperty("picks").EnumerateArray().ToList();
        Assert.Equal(ids.Take(3), picks.Select(p => p.GetProperty("warehouseId").GetString()));
        Assert.Equal(new[] { "F-EARLY:5", "F-LATE:5" }, picks[0].GetProperty("lots").EnumerateArray().Select(l => $"{l.GetProperty("lotNumber").GetString()}:{l.GetProperty("quantity").GetDecimal()}"));
        Assert.Equal(new[] { "F-EARLY:5" }, picks[2].GetProperty("lots").EnumerateArray().Select(l => $"{l.GetProperty("lotNumber").GetString()}:{l.GetProperty("quantity").GetDecimal()}"));

        var listed = await (await fx.As("shipai-officer", HttpMethod.Get, "api/disaster/warehouses")).JsonAsync();
        Assert.True(ids.All(w => listed.EnumerateArray().Any(x => x.GetProperty("id").GetString() == w)));
        var third = await fx.StockAsync(ids[2]);
        Assert.Equal(5m, Reserved(third, "FOOD"));
        Assert.True(third.GetProperty("replay").GetProperty("matches").GetBoolean());
    }

    [Fact]
    public async Task Demo_warehouses_and_teams_are_seeded_once_through_the_services()
    {
        await CivilAffairs.LocalRuntime.Hosting.DemoData.SeedDisasterAsync(fx.Runtime, TextWriter.Null);
        await CivilAffairs.LocalRuntime.Hosting.DemoData.SeedDisasterAsync(fx.Runtime, TextWriter.Null);
        var teams = await (await fx.As("tianhe-approver", HttpMethod.Get, "api/disaster/teams")).JsonAsync();
        Assert.Contains(teams.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == "TH-SHIPAI-TEAM");
        Assert.DoesNotContain(teams.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == "YX-BEIJING-TEAM");
        var stock = await fx.StockAsync("GZ-TH-SP");
        Assert.Equal(40m, OnHand(stock, "QUILT"));
        Assert.Equal(3, stock.GetProperty("movements").GetArrayLength());
        Assert.True(stock.GetProperty("replay").GetProperty("matches").GetBoolean());
    }
}
