using System.Net;
using System.Text.Json;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// A marriage after registration, over HTTP on the runtime (cooling-off and appearance window shortened to seconds): divorce by
/// agreement with a withdrawal, with a registration after the cooling-off (the marriage certificates then verify as ended), and
/// with a lapse; the archive query of a court with and without purpose; a replacement certificate revoking the old one; a death
/// ending the marriage; the monthly statistics.
/// </summary>
public sealed class MarriageLifeTests(MarriageFixture fx) : IClassFixture<MarriageFixture>
{
    MarriageApi Api => fx.Api;

    async Task<(Resident Man, Resident Woman, JsonElement Record)> CoupleAsync()
    {
        var man = await Api.AdultAsync(male: true);
        var woman = await Api.AdultAsync(male: false);
        return (man, woman, await Api.MarryAsync(man, woman));
    }

    static string Id(JsonElement e) => e.GetProperty("id").GetString()!;

    [Fact]
    public async Task Either_party_may_withdraw_during_the_cooling_off_and_the_marriage_stays()
    {
        var (man, woman, record) = await CoupleAsync();
        var divorce = await Api.DivorceAsync(man, woman, Id(record));
        Assert.True(divorce.GetProperty("canWithdraw").GetBoolean());
        // A second application for the same marriage waits for the first.
        await (await fx.Http.As(woman.Token, HttpMethod.Post, "api/marriage/divorces", new
        {
            recordId = Id(record), officeId = MarriageFixture.Office, agreement = new { children = "无", property = "无", debts = "无" },
        })).AssertProblemAsync(409, "DIVORCE_ALREADY_PENDING");

        var withdrawn = await fx.Http.As(woman.Token, HttpMethod.Post, $"api/marriage/divorces/{Id(divorce)}/withdraw");
        Assert.True(withdrawn.IsSuccessStatusCode, await withdrawn.Content.ReadAsStringAsync());
        Assert.Equal("withdrawn", (await withdrawn.JsonAsync()).GetProperty("status").GetString());
        await Task.Delay(TimeSpan.FromSeconds(MarriageFixture.CoolingOffSeconds + 2));
        Assert.Equal("withdrawn", (await Api.DivorceViewAsync(man, Id(divorce))).GetProperty("status").GetString());
        Assert.Equal("married", (await Api.OwnRecordAsync(man, Id(record))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task After_the_cooling_off_withdrawal_is_refused_both_appear_and_the_old_certificates_verify_as_ended()
    {
        var (man, woman, record) = await CoupleAsync();
        var divorce = await Api.DivorceAsync(man, woman, Id(record));
        var (date, time) = await Api.FreeSlotAsync();
        var early = await Api.BookAsync(man, new { officeId = MarriageFixture.Office, kind = "divorce", divorceId = Id(divorce), date, time });
        Assert.Equal(HttpStatusCode.Created, early.StatusCode);
        var booking = Id(await early.JsonAsync());
        await (await Api.ServeAsync(booking)).AssertProblemAsync(409, "DIVORCE_COOLING_OFF_NOT_ENDED");

        var ended = await Api.WaitForDivorceAsync(man, Id(divorce), "awaitingAppearance", 60);
        Assert.False(ended.GetProperty("canWithdraw").GetBoolean());
        var refused = await (await fx.Http.As(woman.Token, HttpMethod.Post, $"api/marriage/divorces/{Id(divorce)}/withdraw")).AssertProblemAsync(409, "DIVORCE_COOLING_OFF_ENDED");
        Assert.Contains("冷静期", refused.GetProperty("detail").GetString());

        var registered = await Api.ServeAsync(booking);
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        var after = await registered.JsonAsync();
        Assert.Equal("divorced", after.GetProperty("status").GetString());
        var certificates = after.GetProperty("certificates").EnumerateArray().ToList();
        foreach (var c in certificates.Where(c => c.GetProperty("kind").GetString() == "marriage"))
            Assert.Equal(VerificationOutcome.Ended, (await Api.VerifyAsync(c)).Outcome);
        var divorceCertificates = certificates.Where(c => c.GetProperty("kind").GetString() == "divorce").ToList();
        Assert.Equal(2, divorceCertificates.Count);
        foreach (var c in divorceCertificates)
        {
            Assert.StartsWith("L440106-", c.GetProperty("number").GetString());
            Assert.Equal(VerificationOutcome.Valid, (await Api.VerifyAsync(c)).Outcome);
        }
        Assert.Equal("registered", (await Api.WaitForDivorceAsync(woman, Id(divorce), "registered", 10)).GetProperty("status").GetString());
        // Divorced, the man may marry again.
        var next = await Api.AdultAsync(male: false);
        var again = await Api.BookMarriageAsync(man, next);
        await Api.PreFillAsync(again, 1, man);
        await Api.PreFillAsync(again, 2, next);
        Assert.Equal(HttpStatusCode.Created, (await Api.ServeAsync(again)).StatusCode);
    }

    [Fact]
    public async Task An_application_nobody_appears_for_lapses_and_cannot_be_registered()
    {
        var (man, woman, record) = await CoupleAsync();
        var divorce = await Api.DivorceAsync(man, woman, Id(record));
        var lapsed = await Api.WaitForDivorceAsync(man, Id(divorce), "lapsed", 120);
        Assert.False(lapsed.GetProperty("canWithdraw").GetBoolean());
        Assert.Equal("married", (await Api.OwnRecordAsync(woman, Id(record))).GetProperty("status").GetString());
        await (await fx.Http.As(man.Token, HttpMethod.Post, $"api/marriage/divorces/{Id(divorce)}/withdraw")).AssertProblemAsync(409, "DIVORCE_NOT_OPEN");
    }

    [Fact]
    public async Task A_court_queries_one_record_with_purpose_and_case_reference_audited_and_without_purpose_is_refused()
    {
        var (man, woman, record) = await CoupleAsync();
        var number = record.GetProperty("certificates")[0].GetProperty("number").GetString()!;

        await (await Api.As("court-tianhe", HttpMethod.Post, "api/marriage/archive/queries", new { certificateNumber = number }))
            .AssertProblemAsync(400, "ARCHIVE_PURPOSE_REQUIRED");
        var byNumber = await Api.As("court-tianhe", HttpMethod.Post, "api/marriage/archive/queries", new { certificateNumber = number, purpose = "litigation", caseReference = "(2026)粤0106民初1234号" });
        Assert.True(byNumber.IsSuccessStatusCode, await byNumber.Content.ReadAsStringAsync());
        var found = await byNumber.JsonAsync();
        Assert.Equal(Id(record), Id(found));
        Assert.Contains(found.GetProperty("parties").EnumerateArray(), p => p.GetProperty("name").GetString() == woman.Name);
        var byIdNumber = await (await Api.As("notary-guangzhou", HttpMethod.Post, "api/marriage/archive/queries", new { idNumber = woman.IdNumber, purpose = "notarization", caseReference = "(2026)粤广南方第 88 号" })).JsonAsync();
        Assert.Equal(Id(record), Id(byIdNumber));
        // A citizen has no archive access; another citizen's record is not theirs.
        Assert.Equal(HttpStatusCode.Forbidden, (await fx.Http.As(man.Token, HttpMethod.Post, "api/marriage/archive/queries", new { certificateNumber = number, purpose = "litigation", caseReference = "x" })).StatusCode);

        var audit = await (await Api.As("auditor", HttpMethod.Get, "api/audit/entries?action=marriage.archive.query&pageSize=200")).JsonAsync();
        var entries = audit.GetProperty("entries").EnumerateArray().ToList();
        Assert.Contains(entries, e => e.GetProperty("actor").GetString() == "court-tianhe" && e.GetProperty("outcome").GetString() == "denied" && e.GetProperty("detail").GetString() == "noPurpose");
        Assert.Contains(entries, e => e.GetProperty("actor").GetString() == "court-tianhe" && e.GetProperty("outcome").GetString() == "success"
            && e.GetProperty("detail").GetString()!.StartsWith("Litigation:(2026)粤0106民初1234号", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_replacement_certificate_has_a_new_number_and_the_old_one_verifies_as_revoked()
    {
        var (man, woman, record) = await CoupleAsync();
        var old = (await Api.OwnRecordAsync(woman, Id(record))).GetProperty("certificates")[0];
        var (date, time) = await Api.FreeSlotAsync();
        var booked = await Api.BookAsync(woman, new { officeId = MarriageFixture.Office, date, time, kind = "replacement", recordId = Id(record) });
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);

        var served = await Api.ServeAsync(Id(await booked.JsonAsync()));
        Assert.True(served.StatusCode == HttpStatusCode.Created, await served.Content.ReadAsStringAsync());
        var mine = (await Api.OwnRecordAsync(woman, Id(record))).GetProperty("certificates").EnumerateArray().ToList();
        var revoked = mine.Single(c => c.GetProperty("number").GetString() == old.GetProperty("number").GetString());
        var fresh = mine.Single(c => c.GetProperty("number").GetString() != old.GetProperty("number").GetString());
        Assert.Equal("revoked", revoked.GetProperty("state").GetString());
        Assert.Equal(fresh.GetProperty("number").GetString(), revoked.GetProperty("replacedBy").GetString());
        Assert.Equal(VerificationOutcome.Revoked, (await Api.VerifyAsync(revoked)).Outcome);
        Assert.Equal(VerificationOutcome.Valid, (await Api.VerifyAsync(fresh)).Outcome);
        // The husband's certificate is untouched.
        Assert.Equal(VerificationOutcome.Valid, (await Api.VerifyAsync((await Api.OwnRecordAsync(man, Id(record))).GetProperty("certificates")[0])).Outcome);
    }

    [Fact]
    public async Task A_death_recorded_ends_the_marriage_and_a_court_annulment_ends_another()
    {
        var (man, woman, record) = await CoupleAsync();
        // The marriage was published as a life event to the police household register.
        Assert.Equal(["police"], await Http.EventuallyAsync(() => Funeral.FuneralApi.PublishedToAsync(fx.Azurite.ConnectionString, "marriage.registered", Id(record)), TimeSpan.FromSeconds(30), "marriage.registered published"));
        var died = await Api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber = man.IdNumber, dateOfDeath = MarriageApi.ChinaToday().ToString("yyyy-MM-dd"), certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
        Assert.Equal(HttpStatusCode.Created, died.StatusCode);
        var after = await Api.OwnRecordAsync(woman, Id(record));
        Assert.Equal("endedByDeath", after.GetProperty("status").GetString());
        Assert.Equal(VerificationOutcome.Ended, (await Api.VerifyAsync(after.GetProperty("certificates")[0])).Outcome);

        var (man2, woman2, record2) = await CoupleAsync();
        await (await Api.As("notary-guangzhou", HttpMethod.Post, $"api/marriage/records/{Id(record2)}/annulment", new { caseReference = "(2026)粤0106民初9号", judgedOn = MarriageApi.ChinaToday().ToString("yyyy-MM-dd") }))
            .AssertProblemAsync(404, "MARRIAGE_RECORD_NOT_FOUND");
        var annulled = await Api.As("court-tianhe", HttpMethod.Post, $"api/marriage/records/{Id(record2)}/annulment", new { caseReference = "(2026)粤0106民初9号", judgedOn = MarriageApi.ChinaToday().ToString("yyyy-MM-dd") });
        Assert.True(annulled.IsSuccessStatusCode, await annulled.Content.ReadAsStringAsync());
        Assert.Equal("annulled", (await Api.OwnRecordAsync(man2, Id(record2))).GetProperty("status").GetString());
        Assert.Equal(VerificationOutcome.Ended, (await Api.VerifyAsync((await Api.OwnRecordAsync(woman2, Id(record2))).GetProperty("certificates")[0])).Outcome);
    }

    [Fact]
    public async Task The_monthly_statistics_count_registrations_per_office_for_the_district_and_the_city()
    {
        await CoupleAsync();
        var month = MarriageApi.ChinaToday().ToString("yyyy-MM");
        var tianhe = await (await Api.As("tianhe-approver", HttpMethod.Get, $"api/marriage/statistics/monthly?month={month}")).JsonAsync();
        var line = tianhe.GetProperty("offices").EnumerateArray().Single(o => o.GetProperty("officeId").GetString() == MarriageFixture.Office);
        Assert.True(line.GetProperty("registrations").GetInt32() >= 1);
        Assert.True(line.GetProperty("bookings").GetInt32() >= 1);
        Assert.True(line.GetProperty("averageWaitDays").GetDecimal() > 0);
        var yuexiu = await (await Api.As("yuexiu-approver", HttpMethod.Get, $"api/marriage/statistics/monthly?month={month}")).JsonAsync();
        Assert.DoesNotContain(yuexiu.GetProperty("offices").EnumerateArray(), o => o.GetProperty("officeId").GetString() == MarriageFixture.Office);
        await (await Api.As("yuexiu-approver", HttpMethod.Get, $"api/marriage/statistics/monthly?month={month}&office={MarriageFixture.Office}")).AssertProblemAsync(404, "OFFICE_NOT_FOUND");
        var csv = await Api.As("city-admin", HttpMethod.Get, $"api/marriage/statistics/monthly.csv?month={month}");
        var bytes = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Contains("天河区婚姻登记处", System.Text.Encoding.UTF8.GetString(bytes));
    }
}
