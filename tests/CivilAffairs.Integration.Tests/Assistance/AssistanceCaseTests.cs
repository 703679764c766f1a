using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Partners;
using Microsoft.Extensions.DependencyInjection;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.PartnerSimulator.Registry;

namespace CivilAffairs.Integration.Tests.Assistance;

/// <summary>
/// Social assistance end to end through the HTTP API, as citizens and staff, with the partner simulator answering
/// for the 60 units: eligible → publicity → decision → payment batch; ineligible → rejected with per-rule reasons;
/// a silent unit named in the report; objections pausing the publicity; bad input and bad partner messages.
/// </summary>
public class AssistanceCaseTests(AssistanceFixture fx) : IClassFixture<AssistanceFixture>
{
    static readonly TimeSpan Slow = TimeSpan.FromSeconds(120);
    static string Month => DateTime.UtcNow.AddHours(8).ToString("yyyyMM");

    Task<string> T(string account) => fx.TokenAsync(account);

    async Task<string> SubmitAsync(string account, object body)
    {
        var response = await fx.Http.As(await T(account), HttpMethod.Post, "api/assistance/applications", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task An_eligible_household_goes_from_a_citizen_application_to_the_first_payment_batch()
    {
        var zhang = DemoHouseholds.Eligible;
        var id = await SubmitAsync("citizen-zhang", AssistanceApi.Application(zhang));

        // Materials: checked against the catalogue entry; the answer lists what is still missing (一次性告知).
        using (var form = new MultipartFormDataContent())
        {
            var pdf = new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.7\n% demo application form\n%%EOF"));
            pdf.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(pdf, "file", "申请书.pdf");
            form.Add(new StringContent("applicationForm"), "code");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/assistance/applications/{id}/materials") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await T("citizen-zhang"));
            var uploaded = await fx.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
            var materials = await uploaded.JsonAsync();
            Assert.Contains(materials.GetProperty("materials").EnumerateArray(), m => m.GetProperty("code").GetString() == "applicationForm");
            Assert.False(materials.GetProperty("complete").GetBoolean());
            Assert.Contains(materials.GetProperty("outstanding").EnumerateArray(), f => f.GetProperty("item").GetString() == "idCard");
        }

        // Materials failing the catalogue's rules or their declared type are refused with every reason, and not stored.
        async Task<HttpResponseMessage> Upload(string code, byte[] content, string fileName, string contentType, params (string Name, string Value)[] fields)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(content);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(file, "file", fileName);
            form.Add(new StringContent(code), "code");
            foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/assistance/applications/{id}/materials") { Content = form };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await T("citizen-zhang"));
            return await fx.Http.SendAsync(request);
        }
        var pdfBytes = Encoding.ASCII.GetBytes("%PDF-1.7\n% id card scan\n%%EOF");
        var expired = await (await Upload("idCard", pdfBytes, "身份证.pdf", "application/pdf", ("original", "true"), ("validUntil", "2020-01-01"))).AssertProblemAsync(400, "VALIDATION_FAILED");
        Assert.Contains(expired.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == "validUntil");
        var fake = await (await Upload("nonsense", Encoding.ASCII.GetBytes("MZ\u0090\0 not a pdf"), "申请书.pdf", "application/pdf")).AssertProblemAsync(400, "VALIDATION_FAILED");
        var fakeFields = fake.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains("code", fakeFields);
        Assert.True(fakeFields.Count >= 2, "the content check is reported with the code check, not instead of it");
        var listed = await (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Get, $"api/assistance/applications/{id}/materials")).JsonAsync();
        Assert.Single(listed.GetProperty("materials").EnumerateArray());

        // Incomplete materials block acceptance unless the officer checked the originals at the counter.
        await (await fx.Http.As(await T("shipai-officer"), HttpMethod.Post, $"api/assistance/applications/{id}/accept")).AssertProblemAsync(400, "MATERIALS_INCOMPLETE");
        // Another street cannot accept; a community worker has no permission.
        await (await fx.Http.As(await T("wushan-officer"), HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true })).AssertProblemAsync(404, "APPLICATION_NOT_FOUND");
        await (await fx.Http.As(await T("huashi-worker"), HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true })).AssertProblemAsync(403, "FORBIDDEN");
        var accepted = await fx.Http.As(await T("shipai-officer"), HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

        var officer = await T("shipai-officer");
        var publicity = await fx.Http.WaitForStatusAsync(officer, id, Slow, "publicity", "awaitingDecision");
        Assert.Equal("440106008001", publicity.GetProperty("jurisdiction").GetString());

        // The report: every figure with its source unit, time and SM3 evidence; per-rule decision.
        var verification = await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
        var report = verification.GetProperty("report");
        Assert.Equal(60, report.GetProperty("unitsAsked").GetArrayLength());
        Assert.Equal(0, report.GetProperty("unitsNotAnswered").GetArrayLength());
        var income = report.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "monthlyIncomePerCapita");
        Assert.InRange(income.GetProperty("value").GetDecimal(), 1m, 1367m);
        var evidence = income.GetProperty("evidence").EnumerateArray().ToList();
        Assert.NotEmpty(evidence);
        Assert.All(evidence, e =>
        {
            Assert.Matches("^[0-9a-f]{64}$", e.GetProperty("replyHash").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("unitCode").GetString()));
            Assert.True(e.TryGetProperty("answeredAt", out _));
        });
        var decision = verification.GetProperty("decision");
        Assert.Equal("eligible", decision.GetProperty("outcome").GetString());
        Assert.All(decision.GetProperty("rules").EnumerateArray(), r => Assert.True(r.GetProperty("passed").GetBoolean()));
        Assert.False(decision.GetProperty("provisional").GetBoolean());

        // The applicant sees their own report; another citizen does not.
        Assert.Equal(HttpStatusCode.OK, (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Get, $"api/assistance/applications/{id}/verification")).StatusCode);
        await (await fx.Http.As(await T("citizen-li"), HttpMethod.Get, $"api/assistance/applications/{id}/verification")).AssertProblemAsync(404, "APPLICATION_NOT_FOUND");

        // After the publicity: the district of the address decides; others cannot.
        var approver = await T("tianhe-approver");
        await fx.Http.WaitForStatusAsync(approver, id, Slow, "awaitingDecision");
        var worklist = await (await fx.Http.As(approver, HttpMethod.Get, "api/assistance/applications?status=awaitingDecision")).JsonAsync();
        var row = worklist.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetString() == id);
        Assert.Equal("decision", row.GetProperty("deadline").GetProperty("step").GetString());
        Assert.Equal("张*", row.GetProperty("applicant").GetString());
        await (await fx.Http.As(await T("yuexiu-approver"), HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = true, reason = "同意" })).AssertProblemAsync(404, "APPLICATION_NOT_FOUND");
        await (await fx.Http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = true, reason = "同意" })).AssertProblemAsync(403, "FORBIDDEN");
        await (await fx.Http.As(approver, HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = true })).AssertProblemAsync(400, "VALIDATION_FAILED");
        var granted = await fx.Http.As(approver, HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = true, reason = "经审核，符合最低生活保障条件。" });
        Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        var view = await granted.JsonAsync();
        Assert.Equal("granted", view.GetProperty("status").GetString());
        var allowance = view.GetProperty("monthlyAllowance").GetDecimal();
        Assert.Equal(Math.Round((1368m - income.GetProperty("value").GetDecimal()) * 3, 2), allowance);
        // The grant is a life event: published with the change and sent to the units that follow 低保 status.
        var told = await Http.EventuallyAsync(async () => await Funeral.FuneralApi.PublishedToAsync(fx.Azurite.ConnectionString, "assistance.granted", id) is { Count: >= 2 } units ? units : null, TimeSpan.FromSeconds(30), "assistance.granted sent to both units");
        Assert.Equal(["housing", "medical-security"], told.Order(StringComparer.Ordinal).ToArray());
        await (await fx.Http.As(approver, HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = true, reason = "再次批准" })).AssertProblemAsync(409, "NOT_AWAITING_DECISION");

        // The first payment batch for the district; running the month again pays nobody twice.
        var run = await fx.Http.As(approver, HttpMethod.Post, "api/assistance/payments/runs", new { month = Month });
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var batch = (await run.JsonAsync()).EnumerateArray().Single(b => b.GetProperty("district").GetString() == "440106");
        var line = batch.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("applicationId").GetString() == id);
        Assert.True(line.GetProperty("paid").GetBoolean());
        Assert.Equal(allowance, line.GetProperty("amount").GetDecimal());
        var again = (await (await fx.Http.As(approver, HttpMethod.Post, "api/assistance/payments/runs", new { month = Month })).JsonAsync()).EnumerateArray().Single();
        Assert.Equal(batch.GetProperty("createdAt").GetString(), again.GetProperty("createdAt").GetString());
        Assert.Equal(batch.GetProperty("total").GetDecimal(), again.GetProperty("total").GetDecimal());
        // Another district's approver cannot run or read this district.
        await (await fx.Http.As(await T("yuexiu-approver"), HttpMethod.Post, "api/assistance/payments/runs", new { month = Month, district = "440106" })).AssertProblemAsync(403, "OUT_OF_JURISDICTION");
        var file = await fx.Http.As(approver, HttpMethod.Get, $"api/assistance/payments/{Month}/440106/file");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var csv = await file.Content.ReadAsStringAsync();
        Assert.Contains("张伟", csv);
        Assert.Contains("6222020200112233445", csv);
        Assert.Contains(allowance.ToString("0.00"), csv);

        // The applicant was told at every step.
        var inbox = await (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Get, "api/me/notifications")).JsonAsync();
        var titles = inbox.EnumerateArray().Select(n => n.GetProperty("title").GetString()).ToList();
        Assert.Contains("申请已受理", titles);
        Assert.Contains("核对通过，进入公示", titles);
        Assert.Contains("申请已批准", titles);
        Assert.Contains("救助金已发放", titles);

        // Periodic re-verification (10 s here, a year by default): the whole household is checked again and stays granted.
        var reverified = await Platform.Http.EventuallyAsync(async () =>
        {
            var v = await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
            return v.GetProperty("round").GetInt32() == 2 ? (object)v : null;
        }, Slow, "the second verification round");
        Assert.Equal("granted", ((JsonElement)reverified).GetProperty("status").GetString());
        await Platform.Http.EventuallyAsync(async () =>
        {
            var later = await (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Get, "api/me/notifications")).JsonAsync();
            return later.EnumerateArray().Any(n => n.GetProperty("title").GetString() == "复核通过") ? (object)later : null;
        }, TimeSpan.FromSeconds(30), "the re-verification notice");
    }

    [Fact]
    public async Task An_ineligible_household_is_rejected_with_reasons_per_rule()
    {
        var id = await SubmitAsync("citizen-li", AssistanceApi.Application(DemoHouseholds.Ineligible));
        var officer = await T("beijing-officer");
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true })).StatusCode);
        await fx.Http.WaitForStatusAsync(officer, id, Slow, "awaitingDecision");

        var verification = await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
        var decision = verification.GetProperty("decision");
        Assert.Equal("ineligible", decision.GetProperty("outcome").GetString());
        var failed = decision.GetProperty("rules").EnumerateArray().Where(r => !r.GetProperty("passed").GetBoolean()).ToList();
        Assert.Contains(failed, r => r.GetProperty("field").GetString() == "monthlyIncomePerCapita" && r.GetProperty("value").GetDecimal() > r.GetProperty("threshold").GetDecimal());
        Assert.Contains(failed, r => r.GetProperty("field").GetString() == "vehicles");

        var rejected = await fx.Http.As(await T("yuexiu-approver"), HttpMethod.Post, $"api/assistance/applications/{id}/decision", new { approve = false, reason = "经核对，家庭经济状况不符合条件" });
        Assert.Equal(HttpStatusCode.OK, rejected.StatusCode);
        var view = await rejected.JsonAsync();
        Assert.Equal("rejected", view.GetProperty("status").GetString());
        var reason = view.GetProperty("decisionReason").GetString()!;
        Assert.Contains("家庭月人均收入低于低保标准", reason);
        Assert.Contains("机动车", reason);

        // A rejected household frees its members: 李娜 may apply again.
        Assert.Equal(HttpStatusCode.Created, (await fx.Http.As(await T("citizen-li"), HttpMethod.Post, "api/assistance/applications",
            AssistanceApi.Application(DemoHouseholds.Ineligible))).StatusCode);
    }

    [Fact]
    public async Task A_silent_unit_is_named_in_the_report_and_an_objection_pauses_the_publicity()
    {
        // Staff at any community office may submit for any address (无差别受理).
        var id = await SubmitAsync("huashi-worker", AssistanceApi.Application(DemoHouseholds.EligibleWithSilentUnit));
        var officer = await T("beijing-officer");
        Assert.Equal(HttpStatusCode.Accepted, (await fx.Http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true })).StatusCode);

        var progress = await Platform.Http.EventuallyAsync(async () =>
        {
            var v = await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
            return v.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object && p.GetProperty("repliesReceived").GetInt32() > 0 ? (object)p : null;
        }, Slow, "verification progress");
        Assert.Equal(60, ((JsonElement)progress).GetProperty("unitsAsked").GetInt32());

        await fx.Http.WaitForStatusAsync(officer, id, Slow, "publicity");
        var verification = await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}/verification")).JsonAsync();
        var missing = verification.GetProperty("unitsNotAnswered").EnumerateArray().ToList();
        Assert.Equal(DemoHouseholds.SilentUnit, Assert.Single(missing).GetProperty("code").GetString());
        Assert.Contains("公积金", missing[0].GetProperty("name").GetString());
        Assert.True(verification.GetProperty("decision").GetProperty("provisional").GetBoolean());
        Assert.Equal(DemoHouseholds.SilentUnit, verification.GetProperty("report").GetProperty("unitsNotAnswered")[0].GetString());

        // Any resident may object during the publicity; it pauses until the street office has checked.
        await (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Post, $"api/assistance/applications/{id}/objections", new { reason = "短" })).AssertProblemAsync(400, "VALIDATION_FAILED");
        var objection = await fx.Http.As(await T("citizen-zhang"), HttpMethod.Post, $"api/assistance/applications/{id}/objections", new { reason = "据了解该户有出租房屋收入未申报。" });
        Assert.Equal(HttpStatusCode.Created, objection.StatusCode);
        var objectionId = (await objection.JsonAsync()).GetProperty("id").GetString();
        await fx.Http.WaitForStatusAsync(officer, id, Slow, "publicityPaused");
        await Task.Delay(TimeSpan.FromSeconds(6)); // longer than the whole publicity: paused means paused
        Assert.Equal("publicityPaused", (await (await fx.Http.As(officer, HttpMethod.Get, $"api/assistance/applications/{id}")).JsonAsync()).GetProperty("status").GetString());

        var resolved = await fx.Http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/objections/{objectionId}/resolution", new { upheld = false, note = "经入户核实，该房屋为自住。" });
        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        await (await fx.Http.As(officer, HttpMethod.Post, $"api/assistance/applications/{id}/objections/{objectionId}/resolution", new { upheld = false, note = "重复" })).AssertProblemAsync(409, "OBJECTION_RESOLVED");
        await fx.Http.WaitForStatusAsync(officer, id, Slow, "awaitingDecision");
    }

    [Fact]
    public async Task Bad_applications_get_clear_problems_and_store_nothing()
    {
        var token = await T("huashi-worker");
        var applicant = RuntimeFixture.NewIdNumber("440106", new DateOnly(1970, 5, 6));
        var spouse = RuntimeFixture.NewIdNumber("440106", new DateOnly(1972, 8, 9));
        object Body(string applicantId, string spouseId, bool consent = true, string? account = "6222020200112233445") => new
        {
            program = "minimumLivingAllowance", jurisdiction = "440106008001", bankAccount = account,
            members = new object[]
            {
                new { name = "赵一", idNumber = applicantId, relationship = "applicant", consentSigned = true },
                new { name = "钱二", idNumber = spouseId, relationship = "spouse", consentSigned = consent },
            },
        };
        var bad = await (await fx.Http.As(token, HttpMethod.Post, "api/assistance/applications", Body(applicant, applicant[..17] + (applicant[17] == '0' ? "1" : "0"), consent: false, account: null)))
            .AssertProblemAsync(400, "VALIDATION_FAILED");
        var fields = bad.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains("members[1].idNumber", fields);
        Assert.Contains("members[1].consentSigned", fields);
        Assert.Contains("bankAccount", fields);

        Assert.Equal(HttpStatusCode.Created, (await fx.Http.As(token, HttpMethod.Post, "api/assistance/applications", Body(applicant, spouse))).StatusCode);
        // The spouse is now in an active household: a second household with them is refused, and nothing of it stays.
        var other = RuntimeFixture.NewIdNumber("440106", new DateOnly(1980, 1, 2));
        await (await fx.Http.As(token, HttpMethod.Post, "api/assistance/applications", Body(other, spouse))).AssertProblemAsync(409, "MEMBER_IN_ACTIVE_HOUSEHOLD");
        var third = RuntimeFixture.NewIdNumber("440106", new DateOnly(1981, 3, 4));
        Assert.Equal(HttpStatusCode.Created, (await fx.Http.As(token, HttpMethod.Post, "api/assistance/applications", Body(other, third))).StatusCode);

        // Worklist queries are checked and scoped.
        await (await fx.Http.As(token, HttpMethod.Get, "api/assistance/applications?status=flying")).AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await fx.Http.As(token, HttpMethod.Get, "api/assistance/applications?division=440104")).AssertProblemAsync(403, "OUT_OF_JURISDICTION");
        await (await fx.Http.As(await T("citizen-zhang"), HttpMethod.Get, "api/assistance/applications")).AssertProblemAsync(403, "FORBIDDEN");
    }

    [Fact]
    public async Task Malformed_partner_messages_go_to_the_poison_queue_and_unknown_correlations_are_dropped()
    {
        var queues = new QueueServiceClient(fx.Azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var replies = queues.GetQueueClient("partner-replies");
        await replies.CreateIfNotExistsAsync();
        await replies.SendMessageAsync("{\"specversion\":\"1.0\",\"id\":\"x\"}");
        var poison = queues.GetQueueClient("partner-replies-poison");
        var arrived = await Platform.Http.EventuallyAsync(async () =>
        {
            if (!(await poison.ExistsAsync()).Value) return null;
            var peeked = await poison.PeekMessagesAsync(32);
            return peeked.Value.FirstOrDefault(m => m.Body.ToString().Contains("\"id\":\"x\""));
        }, TimeSpan.FromSeconds(60), "the malformed reply in the poison queue");
        Assert.NotNull(arrived);

        // A well-formed, correctly sealed reply for a correlation nobody is waiting for is dropped (and logged), not retried.
        var codec = fx.Runtime.Services.GetRequiredService<PartnerCodec>();
        var stray = new VerificationReply(Guid.NewGuid().ToString("N"), $"verify-{Ulid.NewUlid()}-r1", "police",
            [new("m1", ReplyStatus.NotFound, new Dictionary<string, decimal>(), new Dictionary<string, string>())], DateTimeOffset.UtcNow);
        var envelope = PartnerCodec.Serialize(await codec.SealReplyAsync(stray));
        var sent = await replies.SendMessageAsync(envelope);
        await Platform.Http.EventuallyAsync(async () =>
        {
            var peeked = await replies.PeekMessagesAsync(32);
            return peeked.Value.Any(m => m.MessageId == sent.Value.MessageId) ? null : (object)true;
        }, TimeSpan.FromSeconds(60), "the stray reply to be consumed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var poisoned = await poison.PeekMessagesAsync(32);
        Assert.DoesNotContain(poisoned.Value, m => m.Body.ToString() == envelope);
    }
}
