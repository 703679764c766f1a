using System.Net;
using System.Text;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// Home-care orders over HTTP: order and assignment by the community worker, the provider's carer checking in at the elder's
/// home (EVV) and out, confirmation by a relative who is a named contact (a stranger gets 404), and the bill: hours subsidised
/// up to what is left of the month's budget, the elder paying the rest.
/// </summary>
[Collection(MealsCollection.Name)]
public class HomeCareTests(MealsFixture fx)
{
    const string Provider = "tianhe-homecare";
    static string Today => DateTime.UtcNow.AddHours(8).ToString("yyyy-MM-dd");
    static object Home(double metresNorth = 0) => new { position = new { latitude = 23.1225 + metresNorth / 111_195, longitude = 113.2710 } };

    async Task<string> OrderAsync(string elderId, string service = "cleaning")
    {
        var created = await fx.As("yanyunxi-worker", HttpMethod.Post, "api/elderly/home-care/orders", new { elderId, service, scheduledFor = Today, providerId = Provider });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, text);
        var order = JsonDocument.Parse(text).RootElement;
        Assert.Equal("assigned", order.GetProperty("status").GetString());
        return order.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task The_catalogue_lists_the_five_services_with_hourly_prices()
    {
        var catalogue = await (await fx.Http.GetAsync("api/elderly/home-care/services")).JsonAsync();
        var prices = catalogue.GetProperty("services").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("hourlyPrice").GetDecimal());
        Assert.Equal(new Dictionary<string, decimal> { ["助浴"] = 80m, ["保洁"] = 45m, ["康复"] = 120m, ["陪护"] = 40m, ["助餐"] = 30m }, prices);
    }

    [Fact]
    public async Task A_check_in_too_far_from_the_home_is_422_audited_and_records_nothing()
    {
        var (elderId, _, _) = await fx.ElderAsync("aged80Plus", 1941);
        var id = await OrderAsync(elderId);

        var far = await fx.As("tianhe-carer", HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-in", Home(metresNorth: 900));
        var problem = await far.AssertProblemAsync(422, "EVV_TOO_FAR");
        Assert.Contains("200", problem.GetProperty("detail").GetString());
        var order = await (await fx.As("yanyunxi-worker", HttpMethod.Get, $"api/elderly/home-care/orders/{id}")).JsonAsync();
        Assert.Equal("assigned", order.GetProperty("status").GetString());
        Assert.False(order.TryGetProperty("checkIn", out var checkIn) && checkIn.ValueKind != JsonValueKind.Null);
        var audit = await (await fx.As("auditor", HttpMethod.Get, "api/audit/entries?action=elderly.homeCare.checkIn&outcome=denied&pageSize=200")).JsonAsync();
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("detail").GetString() == $"{id}:EVV_TOO_FAR");

        // Another company's carer does not see the order at all; a check-in at the door is recorded.
        await (await fx.As("pat-operator-1", HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-in", Home())).AssertProblemAsync(403, "FORBIDDEN");
        var near = await fx.As("tianhe-carer", HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-in", Home(metresNorth: 80));
        Assert.Equal(HttpStatusCode.OK, near.StatusCode);
        Assert.Equal("checkedIn", (await near.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_a_relative_named_as_contact_or_the_community_worker_confirms_a_stranger_gets_404()
    {
        // The demo elder 李建国: his daughter 李娜 (citizen-li) is a consenting contact with an account; 张伟 is nobody to him.
        var id = await OrderAsync(DemoElders.LiJianguoElderId, "companionship");
        var carer = await fx.TokenAsync("tianhe-carer");
        var li = await fx.TokenAsync("citizen-li");
        var zhang = await fx.TokenAsync("citizen-zhang");
        Assert.Equal(HttpStatusCode.OK, (await fx.WithToken(carer, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-in", new { position = new { latitude = 23.1222, longitude = 113.2716 } })).StatusCode);
        await (await fx.WithToken(li, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/confirm")).AssertProblemAsync(409, "HOMECARE_INVALID_TRANSITION");
        using (fx.Shift(TimeSpan.FromMinutes(40)))
        {
            var visit = await (await fx.WithToken(carer, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-out", new { position = new { latitude = 23.1222, longitude = 113.2716 } })).JsonAsync();
            var evv = visit.GetProperty("evv");
            Assert.Equal(("companionship", DemoElders.LiJianguoElderId, Provider), (evv.GetProperty("serviceType").GetString(), evv.GetProperty("recipientId").GetString(), evv.GetProperty("providerId").GetString()));
            Assert.True(evv.GetProperty("end").GetDateTimeOffset() > evv.GetProperty("start").GetDateTimeOffset());
            Assert.Equal(23.1222, evv.GetProperty("location").GetProperty("latitude").GetDouble(), 6);

            await (await fx.WithToken(zhang, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/confirm")).AssertProblemAsync(404, "HOMECARE_ORDER_NOT_FOUND");
            await (await fx.WithToken(zhang, HttpMethod.Get, $"api/elderly/home-care/orders/{id}")).AssertProblemAsync(404, "HOMECARE_ORDER_NOT_FOUND");
            var confirmed = await fx.WithToken(li, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/confirm");
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            var order = await confirmed.JsonAsync();
            Assert.Equal("confirmed", order.GetProperty("status").GetString());
            Assert.Equal("relative", order.GetProperty("confirmation").GetProperty("by").GetString());
            // 40 minutes of 陪护 at 40 yuan: 0.75 h (8-minute rule) = 30.00, within 李建国's 10 subsidised hours (80岁以上).
            var billing = order.GetProperty("billing");
            Assert.Equal((0.75m, 30.00m, 30.00m, 0.00m), (billing.GetProperty("billableHours").GetDecimal(), billing.GetProperty("amount").GetDecimal(),
                billing.GetProperty("subsidy").GetDecimal(), billing.GetProperty("elderPays").GetDecimal()));
        }
    }

    [Fact]
    public async Task A_visit_beyond_the_months_subsidised_hours_is_split_between_subsidy_and_the_elder()
    {
        // 60–79: a quarter of an hour a month in this fixture. A 30-minute 保洁 visit (45 yuan/h) bills 0.5 h = 22.50: 11.25 subsidised, 11.25 the elder's.
        var (elderId, _, _) = await fx.ElderAsync("aged60To79", 1958);
        var id = await OrderAsync(elderId);
        var carer = await fx.TokenAsync("tianhe-carer");
        var worker = await fx.TokenAsync("yanyunxi-worker");
        var approver = await fx.TokenAsync("yuexiu-approver");
        var month = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM");
        Assert.Equal(HttpStatusCode.OK, (await fx.WithToken(carer, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-in", Home(30))).StatusCode);
        using (fx.Shift(TimeSpan.FromMinutes(30)))
        {
            Assert.Equal(HttpStatusCode.OK, (await fx.WithToken(carer, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/check-out", Home(30))).StatusCode);
            var order = await (await fx.WithToken(worker, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/confirm")).JsonAsync();
            Assert.Equal("communityWorker", order.GetProperty("confirmation").GetProperty("by").GetString());
            var b = order.GetProperty("billing");
            Assert.Equal((0.50m, 22.50m, 0.25m, 11.25m, 11.25m, 0.00m), (b.GetProperty("billableHours").GetDecimal(), b.GetProperty("amount").GetDecimal(),
                b.GetProperty("subsidisedHours").GetDecimal(), b.GetProperty("subsidy").GetDecimal(), b.GetProperty("elderPays").GetDecimal(),
                b.GetProperty("remainingHoursAfter").GetDecimal()));
            // Confirming again answers the same bill: the visit is billed once.
            var again = await (await fx.WithToken(worker, HttpMethod.Post, $"api/elderly/home-care/orders/{id}/confirm")).JsonAsync();
            Assert.Equal(11.25m, again.GetProperty("billing").GetProperty("elderPays").GetDecimal());

            var list = await (await fx.WithToken(approver, HttpMethod.Get, $"api/elderly/home-care/billing/{Provider}/{month}")).JsonAsync();
            var line = Assert.Single(list.GetProperty("lines").EnumerateArray(), l => l.GetProperty("orderId").GetString() == id);
            Assert.Equal(11.25m, line.GetProperty("elderPays").GetDecimal());
            var csv = await fx.WithToken(approver, HttpMethod.Get, $"api/elderly/home-care/billing/{Provider}/{month}/csv");
            Assert.Contains($"{id},{elderId},保洁,", Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()));
        }
        // Another district's approver does not get 越秀's lines.
        var tianhe = await (await fx.As("tianhe-approver", HttpMethod.Get, $"api/elderly/home-care/billing/{Provider}/{month}")).JsonAsync();
        Assert.DoesNotContain(tianhe.GetProperty("lines").EnumerateArray(), l => l.GetProperty("orderId").GetString() == id);
    }
}
