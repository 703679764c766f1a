using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Funeral.Services;

/// <summary>
/// A runtime on its own Azurite with the demo data. A 低保 household is made the way a community worker makes it (a counter
/// application over HTTP); the grant itself is then seeded through the assistance repository and the grants table — the
/// verification by 60 partner units, the publicity and the district decision are covered by the assistance tests and would only
/// slow this class down.
/// </summary>
public sealed class FuneralServiceFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-funeral-services-" + Guid.NewGuid().ToString("N"));
    readonly Dictionary<string, string> tokens = [];

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, _ => { }));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        if (Runtime is not null) await Runtime.DisposeAsync();
        if (Azurite is not null) await Azurite.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var t)) return t;
        var token = (await (await Http.PostJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    public async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) =>
        await Http.As(await TokenAsync(account), method, url, body);

    /// <summary>
    /// A household of two in 华师社区 with a 低保 (or other) grant: submitted at the counter, then granted <paramref name="grantedDaysAgo"/>
    /// days ago in the stored records; <paramref name="endedNow"/>: the grant has just ended (status ended, the members' places given
    /// back, the grant row inactive) as when the case closes after a member's death. Answers the two members' ID numbers.
    /// </summary>
    public async Task<(string Applicant, string Spouse)> GrantedHouseholdAsync(AssistanceProgram program = AssistanceProgram.MinimumLivingAllowance,
        int grantedDaysAgo = 60, bool endedNow = false)
    {
        var applicant = RuntimeFixture.NewIdNumber("440106", new DateOnly(1948, 1, 1).AddDays(Random.Shared.Next(3000)));
        var spouse = RuntimeFixture.NewIdNumber("440106", new DateOnly(1950, 1, 1).AddDays(Random.Shared.Next(3000)));
        var submitted = await As("huashi-worker", HttpMethod.Post, "api/assistance/applications", new
        {
            program = JsonNamingPolicy.CamelCase.ConvertName(program.ToString()), jurisdiction = "440106008001", bankAccount = "6222020200112233445",
            members = new object[]
            {
                new { name = "孙一", idNumber = applicant, relationship = "applicant", consentSigned = true, declaredMonthlyIncome = 300 },
                new { name = "李二", idNumber = spouse, relationship = "spouse", consentSigned = true, declaredMonthlyIncome = 0 },
            },
        });
        Assert.True(submitted.StatusCode == HttpStatusCode.Created, await submitted.Content.ReadAsStringAsync());
        var id = (await submitted.JsonAsync()).GetProperty("id").GetString()!;

        var services = Runtime.Services;
        var repository = services.GetRequiredService<ApplicationRepository>();
        var tables = services.GetRequiredService<Tables>();
        var grantedAt = DateTimeOffset.UtcNow.AddDays(-grantedDaysAgo);
        var (record, changed) = await repository.UpdateAsync(id, r => r with
        {
            Status = endedNow ? ApplicationStatus.Ended : ApplicationStatus.Granted, DecidedAt = grantedAt, DecidedBy = "tianhe-approver", MonthlyAllowance = 1068m,
        }, null, CancellationToken.None);
        Assert.True(changed);
        var grants = await tables.GetAsync(TableNames.AssistanceGrants);
        await grants.UpsertEntityAsync(new TableEntity("440106", id)
        {
            ["Program"] = program.ToString(), ["Active"] = !endedNow, ["MonthlyAllowance"] = "1068.00", ["GrantedAt"] = grantedAt, ["UpdatedAt"] = DateTimeOffset.UtcNow,
        }, TableUpdateMode.Replace);
        if (endedNow)
        {
            var persons = services.GetRequiredService<PersonIndex>();
            var memberships = await tables.GetAsync(TableNames.AssistanceMemberships);
            foreach (var index in new[] { persons.IndexOf(applicant), persons.IndexOf(spouse) })
                await memberships.DeleteEntityAsync(index[..2], index);
        }
        Assert.NotNull(record);
        return (applicant, spouse);
    }
}

/// <summary>
/// Funeral service orders end to end over HTTP: the 低保 member's basic services are free (found from the assistance records, also
/// when the grant ended after the death), an ordinary person pays, settlement freezes the bill and enters the exemption in the
/// home's monthly summary; bad input, changes after settlement and another site's staff get their stable problems.
/// </summary>
public sealed class FuneralServiceTests(FuneralServiceFixture fx) : IClassFixture<FuneralServiceFixture>
{
    const string Staff = "funeral-staff-a";

    static string Today => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).ToString("yyyy-MM-dd");
    static string Yesterday => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddDays(-1).ToString("yyyy-MM-dd");

    /// <summary>Whether the order names an exemption group (null members are left out of the JSON).</summary>
    static bool Exempt(JsonElement order) => order.TryGetProperty("exemption", out var e) && e.ValueKind != JsonValueKind.Null;

    async Task<JsonElement> OpenAsync(string idNumber, string name = "孙一", string? dateOfDeath = null)
    {
        var response = await fx.As(Staff, HttpMethod.Post, "api/funeral/service-orders", new { name, idNumber, dateOfDeath = dateOfDeath ?? Yesterday });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.StartsWith("/api/funeral/service-orders/", response.Headers.Location?.ToString());
        return await response.JsonAsync();
    }

    async Task<JsonElement> AddAsync(string orderId, string code, int quantity, string account = Staff)
    {
        var response = await fx.As(account, HttpMethod.Post, $"api/funeral/service-orders/{orderId}/lines", new { code, quantity });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    async Task<JsonElement> BasicOrderAsync(string idNumber, string? dateOfDeath = null)
    {
        var order = await OpenAsync(idNumber, dateOfDeath: dateOfDeath);
        var id = order.GetProperty("id").GetString()!;
        await AddAsync(id, "bodyTransport", 1);
        await AddAsync(id, "coldStorage", 3);
        await AddAsync(id, "cremation", 1);
        return await AddAsync(id, "ordinaryUrn", 1);
    }

    [Fact]
    public async Task A_minimum_living_allowance_member_has_the_basic_services_free_and_pays_for_the_farewell_hall()
    {
        var (applicant, _) = await fx.GrantedHouseholdAsync();
        var order = await BasicOrderAsync(applicant);
        Assert.Equal("minimumLivingAllowance", order.GetProperty("exemption").GetString());
        Assert.Equal("低保对象，基本殡葬服务费用全免", order.GetProperty("exemptionReason").GetString());
        Assert.Equal(1240.00m, order.GetProperty("total").GetDecimal());
        Assert.Equal(1240.00m, order.GetProperty("exempted").GetDecimal());
        Assert.Equal(0m, order.GetProperty("payable").GetDecimal());
        Assert.All(order.GetProperty("lines").EnumerateArray(), l => Assert.Equal(l.GetProperty("amount").GetDecimal(), l.GetProperty("exempted").GetDecimal()));
        // The ID number is masked in the answer and never part of a URL.
        Assert.DoesNotContain(applicant, order.ToString());

        var id = order.GetProperty("id").GetString()!;
        order = await AddAsync(id, "farewellHall", 1);
        Assert.Equal(800.00m, order.GetProperty("payable").GetDecimal());
        Assert.Contains("非基本服务项目按标准价格收费", order.GetProperty("exemptionReason").GetString());
        var hall = order.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("code").GetString() == "farewellHall");
        Assert.Equal(0m, hall.GetProperty("exempted").GetDecimal());
        Assert.False(hall.GetProperty("basic").GetBoolean());
    }

    [Fact]
    public async Task A_member_whose_grant_ended_after_the_death_is_still_exempt_for_the_date_of_death()
    {
        var (_, spouse) = await fx.GrantedHouseholdAsync(AssistanceProgram.ExtremePoverty, endedNow: true);
        var order = await BasicOrderAsync(spouse, Yesterday);
        Assert.Equal("extremePoverty", order.GetProperty("exemption").GetString());
        Assert.Equal("特困供养人员，基本殡葬服务费用全免", order.GetProperty("exemptionReason").GetString());
        Assert.Equal(0m, order.GetProperty("payable").GetDecimal());

        // A death before the grant began is not covered.
        var before = await BasicOrderAsync(spouse, DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddDays(-90).ToString("yyyy-MM-dd"));
        Assert.False(Exempt(before));
        Assert.Equal(1240.00m, before.GetProperty("payable").GetDecimal());
    }

    [Fact]
    public async Task An_ordinary_person_pays_and_settlement_freezes_the_bill_and_enters_the_monthly_summary()
    {
        var ordinary = RuntimeFixture.NewIdNumber("440104", new DateOnly(1940, 3, 3));
        var order = await BasicOrderAsync(ordinary);
        Assert.False(Exempt(order));
        Assert.Contains("按标准价格收费", order.GetProperty("exemptionReason").GetString());
        Assert.Equal(1240.00m, order.GetProperty("payable").GetDecimal());
        Assert.False(order.GetProperty("frozen").GetBoolean());
        var id = order.GetProperty("id").GetString()!;

        var settled = await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/settlement");
        Assert.Equal(HttpStatusCode.OK, settled.StatusCode);
        var bill = await settled.JsonAsync();
        Assert.Equal("settled", bill.GetProperty("status").GetString());
        Assert.True(bill.GetProperty("frozen").GetBoolean());
        Assert.Matches(@"^BZ\d{8}[0-9A-Z]{8}$", bill.GetProperty("billNumber").GetString());
        Assert.Equal(1240.00m, bill.GetProperty("payable").GetDecimal());

        // Frozen: no more lines, no removal, no cancellation, no second settlement — 409 with a stable code.
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "restoration", quantity = 1 })).AssertProblemAsync(409, "ORDER_ALREADY_SETTLED");
        await (await fx.As(Staff, HttpMethod.Delete, $"api/funeral/service-orders/{id}/lines/L1")).AssertProblemAsync(409, "ORDER_ALREADY_SETTLED");
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/cancellation")).AssertProblemAsync(409, "ORDER_ALREADY_SETTLED");
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/settlement")).AssertProblemAsync(409, "ORDER_ALREADY_SETTLED");
        var again = await (await fx.As("funeral-staff-b", HttpMethod.Get, $"api/funeral/service-orders/{id}")).JsonAsync();
        Assert.Equal(bill.GetProperty("billNumber").GetString(), again.GetProperty("billNumber").GetString());
        Assert.Equal(4, again.GetProperty("lines").GetArrayLength());

        // An exempt order settled too: the month's summary has both, with the exempted amount per group.
        var (applicant, _) = await fx.GrantedHouseholdAsync();
        var exempt = (await BasicOrderAsync(applicant)).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{exempt}/settlement")).StatusCode);
        var month = DateTime.UtcNow.AddHours(8).ToString("yyyy-MM");
        var summary = await (await fx.As(Staff, HttpMethod.Get, $"api/funeral/service-exemptions/summary?month={month}")).JsonAsync();
        Assert.Equal("gz-funeral-home", summary.GetProperty("siteId").GetString());
        var rows = summary.GetProperty("rows").EnumerateArray().ToList();
        Assert.Contains(rows, r => r.GetProperty("orderId").GetString() == id && r.GetProperty("exempted").GetDecimal() == 0m);
        Assert.Contains(rows, r => r.GetProperty("orderId").GetString() == exempt && r.GetProperty("exempted").GetDecimal() == 1240.00m);
        Assert.True(summary.GetProperty("byGroup").EnumerateArray().Single(g => g.GetProperty("exemption").GetString() == "minimumLivingAllowance").GetProperty("exempted").GetDecimal() >= 1240.00m);
        var csv = await fx.As(Staff, HttpMethod.Get, $"api/funeral/service-exemptions/summary.csv?month={month}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Contains(exempt, await csv.Content.ReadAsStringAsync());
        // The cemetery's summary does not show the funeral home's orders.
        var other = await (await fx.As("cemetery-yinhe", HttpMethod.Get, $"api/funeral/service-exemptions/summary?month={month}")).JsonAsync();
        Assert.Equal(0, other.GetProperty("orders").GetInt32());
        await (await fx.As(Staff, HttpMethod.Get, "api/funeral/service-exemptions/summary?month=2026-13")).AssertProblemAsync(400, "INVALID_QUERY");
    }

    [Fact]
    public async Task Bad_input_gets_stable_problems_and_another_site_sees_nothing()
    {
        var person = RuntimeFixture.NewIdNumber("440104", new DateOnly(1945, 6, 6));
        // No valid ID number (wrong check digit), no name: 400 with field errors.
        var bad = await (await fx.As(Staff, HttpMethod.Post, "api/funeral/service-orders", new { name = "", idNumber = person[..17] + (person[17] == '1' ? "2" : "1") }))
            .AssertProblemAsync(400, "VALIDATION_FAILED");
        var fields = bad.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains("idNumber", fields);
        Assert.Contains("name", fields);
        await (await fx.As(Staff, HttpMethod.Post, "api/funeral/service-orders", new { name = "周三" })).AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await fx.As(Staff, HttpMethod.Post, "api/funeral/service-orders", new { name = "周三", idNumber = person, dateOfDeath = "2999-01-01" })).AssertProblemAsync(400, "VALIDATION_FAILED");

        var order = await OpenAsync(person, "周三");
        var id = order.GetProperty("id").GetString()!;
        var unknown = await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "embalming", quantity = 1 })).AssertProblemAsync(400, "UNKNOWN_SERVICE_CODE");
        Assert.Equal("code", unknown.GetProperty("errors")[0].GetProperty("field").GetString());
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "coldStorage", quantity = 0 })).AssertProblemAsync(400, "QUANTITY_OUT_OF_RANGE");
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "coldStorage", quantity = 91 })).AssertProblemAsync(400, "QUANTITY_OUT_OF_RANGE");
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "cremation", quantity = 2 })).AssertProblemAsync(400, "QUANTITY_OUT_OF_RANGE");
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/settlement")).AssertProblemAsync(409, "ORDER_EMPTY");

        // Staff of another site (the cemetery) and a citizen: 404 / 403, nothing revealed.
        await (await fx.As("cemetery-yinhe", HttpMethod.Get, $"api/funeral/service-orders/{id}")).AssertProblemAsync(404, "SERVICE_ORDER_NOT_FOUND");
        await (await fx.As("cemetery-yinhe", HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "cremation", quantity = 1 })).AssertProblemAsync(404, "SERVICE_ORDER_NOT_FOUND");
        await (await fx.As("cemetery-yinhe", HttpMethod.Post, $"api/funeral/service-orders/{id}/cancellation")).AssertProblemAsync(404, "SERVICE_ORDER_NOT_FOUND");
        await (await fx.As("citizen-wanglei", HttpMethod.Get, $"api/funeral/service-orders/{id}")).AssertProblemAsync(403, "FORBIDDEN");
        await (await fx.As(Staff, HttpMethod.Get, "api/funeral/service-orders/01ARZ3NDEKTSV4RRFFQ69G5FAV")).AssertProblemAsync(404, "SERVICE_ORDER_NOT_FOUND");

        // Lines come and go while open; a cancelled order cannot change.
        var withLine = await AddAsync(id, "restoration", 1);
        var lineId = withLine.GetProperty("lines")[0].GetProperty("lineId").GetString()!;
        var removed = await fx.As(Staff, HttpMethod.Delete, $"api/funeral/service-orders/{id}/lines/{lineId}");
        Assert.Equal(0, (await removed.JsonAsync()).GetProperty("lines").GetArrayLength());
        await (await fx.As(Staff, HttpMethod.Delete, $"api/funeral/service-orders/{id}/lines/{lineId}")).AssertProblemAsync(404, "ORDER_LINE_NOT_FOUND");
        var cancelled = await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/cancellation");
        Assert.Equal("cancelled", (await cancelled.JsonAsync()).GetProperty("status").GetString());
        await (await fx.As(Staff, HttpMethod.Post, $"api/funeral/service-orders/{id}/lines", new { code = "cremation", quantity = 1 })).AssertProblemAsync(409, "ORDER_CANCELLED");

        // Every step is audited with the deceased's blind index as subject, denials included.
        var index = fx.Runtime.Services.GetRequiredService<PersonIndex>().IndexOf(person);
        var audit = await fx.Runtime.Services.GetRequiredService<Tables>().GetAsync(TableNames.AuditLog);
        var actions = new List<(string Action, string Outcome)>();
        await foreach (var e in audit.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Subject eq {index}")))
            actions.Add((e.GetString("Action"), e.GetString("Outcome")));
        Assert.Contains(("funeral.service.open", "success"), actions);
        Assert.Contains(("funeral.service.read", "denied"), actions);
        Assert.Contains(("funeral.service.addLine", "denied"), actions);
        Assert.Contains(("funeral.service.cancel", "success"), actions);
    }

    [Fact]
    public async Task The_catalogue_lists_prices_and_which_items_an_exemption_covers()
    {
        var catalogue = await (await fx.As(Staff, HttpMethod.Get, "api/funeral/service-catalogue")).JsonAsync();
        var items = catalogue.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(6, items.Count);
        Assert.Equal(4, items.Count(i => i.GetProperty("basic").GetBoolean()));
        Assert.Equal(500.00m, items.Single(i => i.GetProperty("code").GetString() == "cremation").GetProperty("unitPrice").GetDecimal());
    }
}
