using System.Net;
using System.Text;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Elderly;

/// <summary>
/// 长者饭堂 over HTTP, as the till and staff use it: subsidies of each tier, a meal outside the elder's district, resent and
/// reused receipts, the daily settlement and the district's monthly reconciliation, and a death that stops the subsidy from
/// the next day. Tests register their own meal points so their figures are their own.
/// </summary>
[Collection(MealsCollection.Name)]
public class MealTests(MealsFixture fx)
{
    static string Receipt() => "R-" + Guid.NewGuid().ToString("N")[..16];
    static DateTimeOffset Noon() => new(DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToDateTime(new TimeOnly(11, 30)), TimeSpan.FromHours(8));
    /// <summary>Today's lunch in China time, or a minute ago when it is not lunchtime yet (dates in URLs are China dates).</summary>
    static DateTimeOffset LunchToday() => Noon() <= DateTimeOffset.UtcNow ? Noon() : DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(8));

    static (decimal Price, decimal Subsidy, decimal City, decimal District, decimal Elder, bool Outside, int Tier) Quote(JsonElement m) =>
        (m.GetProperty("price").GetDecimal(), m.GetProperty("subsidy").GetDecimal(), m.GetProperty("cityPays").GetDecimal(), m.GetProperty("districtPays").GetDecimal(),
         m.GetProperty("elderPays").GetDecimal(), m.GetProperty("outOfDistrict").GetBoolean(), m.GetProperty("tier").GetString() switch { "tier1" => 1, "tier2" => 2, _ => 3 });

    [Fact]
    public async Task Each_tier_is_subsidised_11_9_or_7_yuan_split_half_city_half_district()
    {
        var (point, terminal) = await fx.MealPointAsync("beijing-officer", "440104002", 23.1262, 113.2705);
        var (_, destitute, _) = await fx.ElderAsync("destitute", 1950);
        var (_, lowIncome, _) = await fx.ElderAsync("lowIncome", 1955);
        var (_, younger, _) = await fx.ElderAsync("aged60To79", 1958);

        var one = await fx.MealAsync(terminal, Receipt(), destitute);
        Assert.Equal(HttpStatusCode.Created, one.StatusCode);
        Assert.Equal((12.00m, 11.00m, 5.50m, 5.50m, 1.00m, false, 1), Quote(await one.JsonAsync()));
        Assert.Equal((12.00m, 9.00m, 4.50m, 4.50m, 3.00m, false, 2), Quote(await (await fx.MealAsync(terminal, Receipt(), lowIncome)).JsonAsync()));
        Assert.Equal((12.00m, 7.00m, 3.50m, 3.50m, 5.00m, false, 3), Quote(await (await fx.MealAsync(terminal, Receipt(), younger)).JsonAsync()));
        // A cheaper meal at the till: the subsidy never exceeds the price.
        Assert.Equal((10.00m, 10.00m, 5.00m, 5.00m, 0.00m, false, 1), Quote(await (await fx.MealAsync(terminal, Receipt(), destitute, price: 10m)).JsonAsync()));

        // The till shows whose card it was, masked; nothing answers for a card nobody holds, or for a staff token.
        Assert.Equal("测***", (await one.JsonAsync()).GetProperty("elderName").GetString());
        await (await fx.MealAsync(terminal, Receipt(), "000000000000")).AssertProblemAsync(404, "MEAL_CARD_NOT_FOUND");
        await (await fx.As("beijing-officer", HttpMethod.Post, "api/elderly/meal-transactions", new { receiptId = Receipt(), cardNumber = destitute })).AssertProblemAsync(403, "FORBIDDEN");
        // A registered device that is not a meal point's terminal (the demo drone) is refused.
        await (await fx.As("device-drone-01", HttpMethod.Post, "api/elderly/meal-transactions", new { receiptId = Receipt(), cardNumber = destitute }))
            .AssertProblemAsync(403, "MEAL_TERMINAL_NOT_REGISTERED");
        Assert.NotNull(point);
    }

    [Fact]
    public async Task The_demo_elder_eats_at_the_demo_points_his_own_district_pays_half_and_elsewhere_only_the_city_share()
    {
        var elder = await (await fx.As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{DemoElders.LiJianguoElderId}")).JsonAsync();
        var card = elder.GetProperty("mealCardNumber").GetString()!;
        var own = await fx.As("meal-terminal-yuexiu", HttpMethod.Post, "api/elderly/meal-transactions", new { receiptId = Receipt(), cardNumber = card });
        Assert.Equal((12.00m, 9.00m, 4.50m, 4.50m, 3.00m, false, 2), Quote(await own.JsonAsync()));
        var elsewhere = await fx.As("meal-terminal-tianhe", HttpMethod.Post, "api/elderly/meal-transactions", new { receiptId = Receipt(), cardNumber = card });
        Assert.Equal(HttpStatusCode.Created, elsewhere.StatusCode);
        Assert.Equal((12.00m, 4.50m, 4.50m, 0.00m, 7.50m, true, 2), Quote(await elsewhere.JsonAsync()));
    }

    [Fact]
    public async Task A_resent_receipt_is_counted_once_and_a_receipt_reused_for_another_meal_is_409()
    {
        var (point, terminal) = await fx.MealPointAsync("beijing-officer", "440104002001", 23.1230, 113.2712);
        var (_, card, _) = await fx.ElderAsync("aged80Plus", 1940);
        var (_, other, _) = await fx.ElderAsync("aged80Plus", 1941);
        var receipt = Receipt();
        var servedAt = LunchToday();

        var first = await fx.MealAsync(terminal, receipt, card, servedAt);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var again = await fx.MealAsync(terminal, receipt, card, servedAt);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var (a, b) = (await first.JsonAsync(), await again.JsonAsync());
        Assert.True(b.GetProperty("duplicate").GetBoolean());
        Assert.Equal(Quote(a), Quote(b));
        Assert.Equal(a.GetProperty("servedAt").GetDateTimeOffset(), b.GetProperty("servedAt").GetDateTimeOffset());

        await (await fx.MealAsync(terminal, receipt, other, servedAt)).AssertProblemAsync(409, "MEAL_RECEIPT_CONFLICT");
        await (await fx.MealAsync(terminal, receipt, card, servedAt.AddMinutes(-30))).AssertProblemAsync(409, "MEAL_RECEIPT_CONFLICT");
        await (await fx.MealAsync(terminal, receipt, card, servedAt, price: 15m)).AssertProblemAsync(409, "MEAL_RECEIPT_CONFLICT");

        var day = await (await fx.As("yuexiu-approver", HttpMethod.Get, $"api/elderly/meal-points/{point}/settlements/{servedAt:yyyy-MM-dd}")).JsonAsync();
        Assert.Equal(1, day.GetProperty("meals").GetInt32());
        Assert.Equal(9.00m, day.GetProperty("cityPays").GetDecimal() + day.GetProperty("districtPays").GetDecimal());
    }

    [Fact]
    public async Task The_daily_settlement_and_the_monthly_reconciliation_add_up_and_only_the_districts_staff_see_them()
    {
        var (yuexiu, yuexiuTerminal) = await fx.MealPointAsync("beijing-officer", "440104002", 23.1270, 113.2690);
        var (tianhe, tianheTerminal) = await fx.MealPointAsync("shipai-officer", "440106008", 23.1370, 113.3430, menuPrice: 15m);
        var (_, tier1, _) = await fx.ElderAsync("minimumLiving", 1950);
        var (_, tier3, _) = await fx.ElderAsync("aged60To79", 1959);
        var at = LunchToday();
        foreach (var card in new[] { tier1, tier1, tier3 })
            Assert.Equal(HttpStatusCode.Created, (await fx.MealAsync(yuexiuTerminal, Receipt(), card, at)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await fx.MealAsync(tianheTerminal, Receipt(), tier1, at)).StatusCode);

        // The 越秀 point's day: 2 × tier 1 (11 = 5.50 + 5.50) and 1 × tier 3 (7 = 3.50 + 3.50) on 12-yuan meals.
        var day = await (await fx.As("yuexiu-approver", HttpMethod.Get, $"api/elderly/meal-points/{yuexiu}/settlements/{at:yyyy-MM-dd}")).JsonAsync();
        Assert.Equal((3, 36.00m, 7.00m, 14.50m, 14.50m), (day.GetProperty("meals").GetInt32(), day.GetProperty("priceTotal").GetDecimal(),
            day.GetProperty("elderPaid").GetDecimal(), day.GetProperty("cityPays").GetDecimal(), day.GetProperty("districtPays").GetDecimal()));
        await (await fx.As("tianhe-approver", HttpMethod.Get, $"api/elderly/meal-points/{yuexiu}/settlements/{at:yyyy-MM-dd}")).AssertProblemAsync(404, "MEAL_POINT_NOT_FOUND");

        // The month of 越秀 (440104): the two points of this test appear as lines; outside the district only the city's 5.50 on a 15-yuan meal.
        var month = $"{at:yyyy-MM}";
        var rec = await (await fx.As("yuexiu-approver", HttpMethod.Get, $"api/elderly/meal-reconciliations/440104/{month}")).JsonAsync();
        var lines = rec.GetProperty("mealPoints").EnumerateArray().ToDictionary(l => l.GetProperty("mealPointId").GetString()!);
        Assert.Equal((3, false, 14.50m, 14.50m), (lines[yuexiu].GetProperty("meals").GetInt32(), lines[yuexiu].GetProperty("outsideDistrict").GetBoolean(),
            lines[yuexiu].GetProperty("districtPays").GetDecimal(), lines[yuexiu].GetProperty("cityPays").GetDecimal()));
        Assert.Equal((1, true, 0.00m, 5.50m, 9.50m), (lines[tianhe].GetProperty("meals").GetInt32(), lines[tianhe].GetProperty("outsideDistrict").GetBoolean(),
            lines[tianhe].GetProperty("districtPays").GetDecimal(), lines[tianhe].GetProperty("cityPays").GetDecimal(), lines[tianhe].GetProperty("elderPaid").GetDecimal()));
        // The totals are the sums of the lines: own points owe the district shares, other points only the city's.
        var own = lines.Values.Where(l => !l.GetProperty("outsideDistrict").GetBoolean()).ToList();
        var outside = lines.Values.Where(l => l.GetProperty("outsideDistrict").GetBoolean()).ToList();
        Assert.Equal(own.Sum(l => l.GetProperty("districtPays").GetDecimal()), rec.GetProperty("districtOwes").GetDecimal());
        Assert.Equal(own.Sum(l => l.GetProperty("meals").GetInt32()), rec.GetProperty("meals").GetInt32());
        Assert.Equal(outside.Sum(l => l.GetProperty("cityPays").GetDecimal()), rec.GetProperty("cityPaysOutsideDistrict").GetDecimal());
        Assert.Equal(outside.Sum(l => l.GetProperty("meals").GetInt32()), rec.GetProperty("mealsOutsideDistrict").GetInt32());

        var csv = await fx.As("yuexiu-approver", HttpMethod.Get, $"api/elderly/meal-reconciliations/440104/{month}/csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await csv.Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF');
        Assert.Contains($"{yuexiu},测试长者饭堂,440104,否,3,36.00,7.00,14.50,14.50", text);
        Assert.Contains($"{tianhe},测试长者饭堂,440106,是,1,15.00,9.50,5.50,0.00", text);
        Assert.StartsWith("合计,", text.TrimEnd('\n').Split('\n')[^1]);

        await (await fx.As("tianhe-approver", HttpMethod.Get, $"api/elderly/meal-reconciliations/440104/{month}")).AssertProblemAsync(404, "MEAL_RECONCILIATION_NOT_FOUND");
        await (await fx.As("beijing-officer", HttpMethod.Get, $"api/elderly/meal-reconciliations/440104/{month}")).AssertProblemAsync(403, "FORBIDDEN");
    }

    [Fact]
    public async Task A_recorded_death_pays_the_meal_of_that_day_refuses_the_next_days_and_stops_home_care_orders()
    {
        var (_, terminal) = await fx.MealPointAsync("beijing-officer", "440104002", 23.1250, 113.2700);
        var (elderId, card, idNumber) = await fx.ElderAsync("destitute", 1945);
        var officer = await fx.TokenAsync("beijing-officer");
        var worker = await fx.TokenAsync("yanyunxi-worker");
        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

        var died = await fx.WithToken(officer, HttpMethod.Post, "api/funeral/deaths", new { idNumber, dateOfDeath = $"{today:yyyy-MM-dd}", certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
        Assert.Equal(HttpStatusCode.Created, died.StatusCode);
        // The day of death is still covered: a meal served today is paid.
        var sameDay = await fx.MealAsync(terminal, Receipt(), card, DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal(HttpStatusCode.Created, sameDay.StatusCode);
        Assert.Equal(11.00m, (await sameDay.JsonAsync()).GetProperty("subsidy").GetDecimal());

        using (fx.Shift(TimeSpan.FromDays(1)))
        {
            var nextDay = await fx.MealAsync(terminal, Receipt(), card);
            var problem = await nextDay.AssertProblemAsync(409, "ELDER_DECEASED");
            Assert.Contains("去世", problem.GetProperty("detail").GetString());
            var order = await fx.WithToken(worker, HttpMethod.Post, "api/elderly/home-care/orders", new
            {
                elderId, service = "cleaning", scheduledFor = $"{today.AddDays(1):yyyy-MM-dd}", providerId = "tianhe-homecare",
            });
            await order.AssertProblemAsync(409, "ELDER_DECEASED");
        }
    }
}
