using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Marriage;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Funeral.Custody;

/// <summary>
/// A runtime on its own Azurite with the demo data (the funeral home's two staff, the 银河园 cemetery's staff) for the custody tests; the
/// deadline sweep runs every 2 s and alerts <see cref="AlertSeconds"/> seconds before a deadline.
/// </summary>
public sealed class CustodyFixture : IAsyncLifetime
{
    public const int AlertSeconds = 20;

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-custody-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s =>
        {
            s["FuneralCustodyAlertSchedule"] = "*/2 * * * * *";
            s["Funeral:Custody:AlertBefore"] = TimeSpan.FromSeconds(AlertSeconds).ToString();
        }));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    public Task DisposeAsync() => MarriageFixture.DisposeAsync(Http, Runtime, Azurite, DataDirectory);

    public MarriageApi Api => new(Http, Runtime);
}

public sealed class CustodyTests(CustodyFixture fx) : IClassFixture<CustodyFixture>
{
    const string StaffA = "funeral-staff-a";
    const string StaffB = "funeral-staff-b";
    const string Cemetery = "cemetery-yinhe";

    readonly MarriageApi api = fx.Api;

    Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) => api.As(account, method, url, body);

    static string NewIdNumber(int age = 80) => RuntimeFixture.NewIdNumber("440106", DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-age).AddDays(-Random.Shared.Next(1, 300)));

    static object Intake(string contactIdNumber, DateTimeOffset? diedAt = null, bool infectious = false, string? deceasedIdNumber = null, string contactName = "王小明") => new
    {
        deceased = new { name = "王老先", idNumber = deceasedIdNumber ?? NewIdNumber() },
        contact = new { name = contactName, phone = "13912345678", idNumber = contactIdNumber },
        pickUp = new { kind = "hospital", placeName = "广州市第一人民医院" },
        diedAt = diedAt ?? DateTimeOffset.UtcNow.AddHours(-3),
        infectious,
        deathId = Ulid.NewUlid().ToString(),
    };

    async Task<JsonElement> IntakeAsync(object body, string account = StaffA)
    {
        var response = await As(account, HttpMethod.Post, "api/funeral/custody/bodies", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    async Task<HttpResponseMessage> ProposeAsync(string account, string bodyId, string step, string location, string? toSiteId = null, bool farewellWaived = false) =>
        await As(account, HttpMethod.Post, $"api/funeral/custody/bodies/{bodyId}/handovers",
            new { step, location, at = DateTimeOffset.UtcNow.AddMinutes(-1), toSiteId, farewellWaived });

    async Task<string> ProposedAsync(string account, string bodyId, string step, string location, string? toSiteId = null, bool farewellWaived = false)
    {
        var response = await ProposeAsync(account, bodyId, step, location, toSiteId, farewellWaived);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    Task<HttpResponseMessage> ConfirmAsync(string account, string bodyId, string handoverId, object? body = null) =>
        As(account, HttpMethod.Post, $"api/funeral/custody/bodies/{bodyId}/handovers/{handoverId}/confirmation", body ?? new { });

    async Task<JsonElement> HandOverAsync(string from, string to, string bodyId, string step, string location, string? toSiteId = null, bool farewellWaived = false)
    {
        var id = await ProposedAsync(from, bodyId, step, location, toSiteId, farewellWaived);
        var confirmed = await ConfirmAsync(to, bodyId, id);
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, await confirmed.Content.ReadAsStringAsync());
        var view = await confirmed.JsonAsync();
        Assert.Equal(step, view.GetProperty("step").GetString());
        return view;
    }

    async Task<JsonElement> BodyAsync(string account, string bodyId)
    {
        var response = await As(account, HttpMethod.Get, $"api/funeral/custody/bodies/{bodyId}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    async Task<JsonElement> VerifyAsync(string account, string bodyId) =>
        await (await As(account, HttpMethod.Get, $"api/funeral/custody/bodies/{bodyId}/verify")).JsonAsync();

    async Task<int> DeniedAuditsAsync(string action, string actor)
    {
        var page = await (await As("auditor", HttpMethod.Get, $"api/audit/entries?action={action}&actor={actor}&outcome=denied&pageSize=200")).JsonAsync();
        return page.GetProperty("entries").GetArrayLength();
    }

    [Fact]
    public async Task A_body_goes_from_the_hospital_to_the_columbarium_with_every_handover_in_the_verified_ledger_and_tampering_is_found()
    {
        var body = await IntakeAsync(Intake(NewIdNumber(50)));
        var id = body.GetProperty("id").GetString()!;
        Assert.Matches(@"^GZBY-\d{4}-\d{6}$", body.GetProperty("tag").GetString());
        Assert.Equal("intake", body.GetProperty("step").GetString());
        Assert.Equal("王老先", body.GetProperty("deceasedName").GetString());
        Assert.Contains("*", body.GetProperty("deceasedIdNumber").GetString());
        Assert.Single(body.GetProperty("ledger").EnumerateArray());

        var qr = await As(StaffB, HttpMethod.Get, $"api/funeral/custody/bodies/{id}/tag.png");
        Assert.Equal(HttpStatusCode.OK, qr.StatusCode);
        Assert.Equal("image/png", qr.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await qr.Content.ReadAsByteArrayAsync())[..4]);
        var byTag = await As(StaffB, HttpMethod.Get, $"api/funeral/custody/tags/{body.GetProperty("tag").GetString()}");
        Assert.Equal(id, (await byTag.JsonAsync()).GetProperty("id").GetString());

        await HandOverAsync(StaffA, StaffB, id, "transport", "粤A·12345 殡仪车");
        await HandOverAsync(StaffB, StaffA, id, "coldStorage", "冷藏柜 C-12");
        await HandOverAsync(StaffA, StaffB, id, "farewell", "告别厅 3 号");
        await HandOverAsync(StaffB, StaffA, id, "cremation", "火化炉 2 号");
        var placementId = await ProposedAsync(StaffA, id, "placement", "骨灰堂 A 区 3 排 12 号", toSiteId: DemoData.Cemetery);
        // The cemetery sees the body it is about to receive; the funeral home's other staff cannot confirm a placement for the cemetery.
        Assert.Equal("placement", (await BodyAsync(Cemetery, id)).GetProperty("pending").GetProperty("step").GetString());
        await (await ConfirmAsync(StaffB, id, placementId)).AssertProblemAsync(403, "NOT_RECEIVING_SITE");
        var placed = await ConfirmAsync(Cemetery, id, placementId);
        Assert.True(placed.IsSuccessStatusCode, await placed.Content.ReadAsStringAsync());
        var final = await placed.JsonAsync();
        Assert.Equal("placement", final.GetProperty("step").GetString());
        Assert.Equal(DemoData.Cemetery, final.GetProperty("siteId").GetString());
        Assert.Empty(final.GetProperty("deadlines").EnumerateArray());

        var ledger = final.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal(["intake", "transport", "coldStorage", "farewell", "cremation", "placement"], ledger.Select(e => e.GetProperty("step").GetString()));
        Assert.Equal("cemetery-yinhe", ledger[^1].GetProperty("receivedBy").GetString());
        for (var i = 1; i < ledger.Count; i++)
            Assert.Equal(ledger[i - 1].GetProperty("hash").GetString(), ledger[i].GetProperty("previousHash").GetString());

        var verified = await VerifyAsync(StaffA, id);
        Assert.True(verified.GetProperty("valid").GetBoolean(), verified.ToString());
        Assert.Equal(6, verified.GetProperty("checked").GetInt32());
        // The auditor and the city's civil-affairs staff may verify too; the auditor sees names masked.
        Assert.True((await VerifyAsync("auditor", id)).GetProperty("valid").GetBoolean());
        Assert.NotEqual("王老先", (await BodyAsync("auditor", id)).GetProperty("deceasedName").GetString());
        // A street officer whose jurisdiction does not contain the body's (the city) does not find it.
        await (await As("shipai-officer", HttpMethod.Get, $"api/funeral/custody/bodies/{id}")).AssertProblemAsync(404, "BODY_NOT_FOUND");

        // Someone rewrites the cold-storage entry directly in storage: the verification names it as the first broken link.
        var table = new TableClient(fx.Azurite.ConnectionString, "FuneralCustody");
        var entry = (await table.GetEntityAsync<TableEntity>(id, "e|0000000003")).Value;
        entry["Location"] = "冷藏柜 C-99";
        await table.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Replace);
        var broken = await VerifyAsync(StaffA, id);
        Assert.False(broken.GetProperty("valid").GetBoolean());
        Assert.Equal(3, broken.GetProperty("firstBrokenSequence").GetInt64());
        Assert.Equal("hashMismatch", broken.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task The_ashes_are_released_only_to_the_registered_family_contact()
    {
        var contact = await api.AdultAsync(male: true, age: 45);
        var body = await IntakeAsync(Intake(contact.IdNumber, contactName: contact.Name));
        var id = body.GetProperty("id").GetString()!;
        // The family contact follows the custody with their own account; another citizen does not find it.
        Assert.Equal(id, (await (await api.Http.As(contact.Token, HttpMethod.Get, $"api/funeral/custody/bodies/{id}")).JsonAsync()).GetProperty("id").GetString());
        await (await As("citizen-wanglei", HttpMethod.Get, $"api/funeral/custody/bodies/{id}")).AssertProblemAsync(404, "BODY_NOT_FOUND");

        await HandOverAsync(StaffA, StaffB, id, "transport", "粤A·12345 殡仪车");
        await HandOverAsync(StaffB, StaffA, id, "coldStorage", "冷藏柜 C-13");
        await HandOverAsync(StaffA, StaffB, id, "cremation", "火化炉 1 号", farewellWaived: true);
        var release = await ProposedAsync(StaffB, id, "release", "骨灰领取窗口");

        var before = await api.Http.As(contact.Token, HttpMethod.Get, $"api/funeral/custody/bodies/{id}");
        Assert.Equal(4, (await before.JsonAsync()).GetProperty("ledger").GetArrayLength());
        await (await ConfirmAsync("citizen-wanglei", id, release)).AssertProblemAsync(403, "NOT_FAMILY_CONTACT");
        await (await ConfirmAsync("citizen-wanglei", id, release, new { idNumber = NewIdNumber(40) })).AssertProblemAsync(403, "NOT_FAMILY_CONTACT");
        await (await ConfirmAsync(StaffA, id, release)).AssertProblemAsync(403, "NOT_FAMILY_CONTACT");
        Assert.True(await DeniedAuditsAsync("funeral.custody.confirm", "citizen-wanglei") >= 2);

        var released = await api.Http.As(contact.Token, HttpMethod.Post, $"api/funeral/custody/bodies/{id}/handovers/{release}/confirmation", new { });
        Assert.True(released.IsSuccessStatusCode, await released.Content.ReadAsStringAsync());
        var view = await released.JsonAsync();
        Assert.Equal("release", view.GetProperty("step").GetString());
        var ledger = view.GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal(5, ledger.Count);
        Assert.True(ledger[3].GetProperty("farewellWaived").GetBoolean());
        Assert.StartsWith("familyContact:", ledger[4].GetProperty("receivedBy").GetString());
        Assert.True((await VerifyAsync(StaffB, id)).GetProperty("valid").GetBoolean());

        // Custody has ended: nothing more can be handed over.
        await (await ProposeAsync(StaffA, id, "placement", "骨灰堂", DemoData.Cemetery)).AssertProblemAsync(409, "CUSTODY_ENDED");
    }

    [Fact]
    public async Task A_family_contact_without_a_bound_account_proves_who_they_are_with_their_ID_number()
    {
        var contactId = NewIdNumber(40);
        var id = (await IntakeAsync(Intake(contactId, infectious: true))).GetProperty("id").GetString()!;
        await HandOverAsync(StaffA, StaffB, id, "transport", "粤A·12345 殡仪车");
        await HandOverAsync(StaffB, StaffA, id, "coldStorage", "隔离冷藏柜 I-2");
        // Died of an infectious disease: no farewell, cremation straight from cold storage.
        await (await ProposeAsync(StaffA, id, "farewell", "告别厅 1 号")).AssertProblemAsync(409, "FAREWELL_NOT_ALLOWED");
        await HandOverAsync(StaffA, StaffB, id, "cremation", "火化炉 3 号");
        var release = await ProposedAsync(StaffB, id, "release", "骨灰领取窗口");
        var released = await ConfirmAsync("citizen-chenjing", id, release, new { idNumber = contactId });
        Assert.True(released.IsSuccessStatusCode, await released.Content.ReadAsStringAsync());
        Assert.Equal("release", (await released.JsonAsync()).GetProperty("step").GetString());
    }

    [Fact]
    public async Task Bad_handovers_are_refused_with_their_code_and_nothing_is_written()
    {
        var deceased = NewIdNumber();
        var id = (await IntakeAsync(Intake(NewIdNumber(50), deceasedIdNumber: deceased))).GetProperty("id").GetString()!;

        // The same deceased cannot be taken over twice while in custody.
        await (await As(StaffB, HttpMethod.Post, "api/funeral/custody/bodies", Intake(NewIdNumber(50), deceasedIdNumber: deceased))).AssertProblemAsync(409, "ALREADY_IN_CUSTODY");
        // A cemetery does not take bodies over.
        await (await As(Cemetery, HttpMethod.Post, "api/funeral/custody/bodies", Intake(NewIdNumber(50)))).AssertProblemAsync(422, "SITE_NOT_CONFIGURED");
        // Input mistakes.
        var invalid = await (await As(StaffA, HttpMethod.Post, "api/funeral/custody/bodies", new { deceased = new { name = "某", idNumber = "123" } })).AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains("deceased.idNumber", invalid.ToString());

        // Skipping transport and cold storage.
        await (await ProposeAsync(StaffA, id, "cremation", "火化炉 1 号")).AssertProblemAsync(409, "STEP_OUT_OF_ORDER");
        Assert.True(await DeniedAuditsAsync("funeral.custody.propose", StaffA) >= 1);

        // The hander cannot confirm their own handover.
        var transport = await ProposedAsync(StaffA, id, "transport", "粤A·12345 殡仪车");
        await (await ConfirmAsync(StaffA, id, transport)).AssertProblemAsync(403, "SAME_PARTY");
        Assert.Single((await BodyAsync(StaffA, id)).GetProperty("ledger").EnumerateArray());

        // Staff of another site neither see nor act on the body (404 like a missing one).
        await (await ConfirmAsync(Cemetery, id, transport)).AssertProblemAsync(404, "BODY_NOT_FOUND");
        await (await ProposeAsync(Cemetery, id, "coldStorage", "冷藏柜")).AssertProblemAsync(404, "BODY_NOT_FOUND");
        await (await As(Cemetery, HttpMethod.Get, $"api/funeral/custody/bodies/{id}")).AssertProblemAsync(404, "BODY_NOT_FOUND");
        Assert.True(await DeniedAuditsAsync("funeral.custody.confirm", Cemetery) >= 1);

        // Confirmed once; a second confirmation is refused and the ledger holds the handover once.
        Assert.Equal(HttpStatusCode.OK, (await ConfirmAsync(StaffB, id, transport)).StatusCode);
        await (await ConfirmAsync(StaffB, id, transport)).AssertProblemAsync(409, "HANDOVER_ALREADY_CONFIRMED");
        var ledger = (await BodyAsync(StaffB, id)).GetProperty("ledger").EnumerateArray().ToList();
        Assert.Equal(2, ledger.Count);
        Assert.Single(ledger, e => e.GetProperty("step").GetString() == "transport");

        // Cremation straight after cold storage needs the family's waiver of the farewell.
        await HandOverAsync(StaffB, StaffA, id, "coldStorage", "冷藏柜 C-14");
        await (await ProposeAsync(StaffA, id, "cremation", "火化炉 1 号")).AssertProblemAsync(409, "STEP_OUT_OF_ORDER");
        Assert.True((await VerifyAsync(StaffA, id)).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Concurrent_intakes_get_distinct_consecutive_tag_numbers()
    {
        var tags = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
            (await IntakeAsync(Intake(NewIdNumber(50)), i % 2 == 0 ? StaffA : StaffB)).GetProperty("tag").GetString()!));
        var numbers = tags.Select(t => int.Parse(t[^6..])).Order().ToList();
        Assert.Equal(6, numbers.Distinct().Count());
        Assert.Equal(numbers[0] + 5, numbers[^1]);
    }

    [Fact]
    public async Task Bodies_approaching_their_cremation_deadline_are_listed_and_alerted_before_and_after_it_passes()
    {
        // Died 72 h minus 10 s ago: inside the 20 s alert window, overdue 10 s later.
        var id = (await IntakeAsync(Intake(NewIdNumber(50), diedAt: DateTimeOffset.UtcNow.AddHours(-72).AddSeconds(10)))).GetProperty("id").GetString()!;
        var atRisk = await (await As(StaffA, HttpMethod.Get, "api/funeral/custody/at-risk")).JsonAsync();
        var item = atRisk.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
        Assert.Equal("approaching", item.GetProperty("urgency").GetString());
        // Another site's list does not show it.
        Assert.DoesNotContain(id, (await (await As(Cemetery, HttpMethod.Get, "api/funeral/custody/at-risk")).JsonAsync()).ToString());

        async Task<JsonElement?> AlertAsync(string state)
        {
            var alerts = await (await As(StaffB, HttpMethod.Get, "api/funeral/custody/alerts")).JsonAsync();
            return alerts.GetProperty("items").EnumerateArray()
                .Where(a => a.GetProperty("bodyId").GetString() == id && a.GetProperty("kind").GetString() == "cremation" && a.GetProperty("state").GetString() == state)
                .Select(a => (JsonElement?)a).FirstOrDefault();
        }
        var approaching = (await Http.EventuallyAsync(async () => await AlertAsync("approaching") is { } a ? (object)a : null, TimeSpan.FromSeconds(30), "approaching alert"));
        var raisedAt = ((JsonElement)approaching).GetProperty("raisedAt").GetDateTimeOffset();
        var due = ((JsonElement)approaching).GetProperty("due").GetDateTimeOffset();
        Assert.True(raisedAt < due, "the alert comes before the deadline is broken");
        await Http.EventuallyAsync(async () => await AlertAsync("overdue") is { } a ? (object)a : null, TimeSpan.FromSeconds(40), "overdue alert");
        Assert.Equal("overdue", (await BodyAsync(StaffA, id)).GetProperty("urgency").GetString());
    }
}
