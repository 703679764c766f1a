using System.Net;
using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.PartnerSimulator.Registry;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Integration.Tests.Security;

/// <summary>
/// Runs a full demo workload on its own runtime and storage, then scans every table entity,
/// blob, queue message (including poison queues) and log line for the plaintext of every ID
/// number and phone number used: none may appear.
/// </summary>
public class PlaintextScanTests
{
    [Fact]
    public async Task No_plaintext_identifier_reaches_storage_queues_or_logs()
    {
        var logs = new ConcurrentQueue<string>();
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        var data = Path.Combine(Path.GetTempPath(), "ca-scan-" + Guid.NewGuid().ToString("N"));
        var options = RuntimeFixture.Options(azurite.ConnectionString, data, Assistance.AssistanceFixture.Settings);
        options.ConfigureLogging = l => { l.SetMinimumLevel(LogLevel.Trace); l.AddProvider(new CaptureLogs(logs)); };
        await using var runtime = await FunctionsRuntime.StartAsync(options);
        using var http = new HttpClient { BaseAddress = runtime.BaseAddress };
        await RuntimeFixture.WaitForCatalogAsync(http);
        await DemoData.SeedAsync(runtime, TextWriter.Null);

        async Task<string> Token(string account) =>
            (await (await http.PostAsJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
        async Task<HttpResponseMessage> Send(string account, HttpMethod method, string url, object? body = null)
        {
            var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await Token(account));
            return await http.SendAsync(request);
        }

        // Workload: register, read masked and unmasked, look up, bind a citizen, query the audit log, queue a pre-review.
        var extraId = RuntimeFixture.NewIdNumber("440106", new DateOnly(1975, 8, 8));
        const string extraPhone = "13700001234";
        var created = await (await Send("shipai-officer", HttpMethod.Post, "api/persons", new { name = "钱多多", idNumber = extraId, phone = extraPhone, address = "广州市天河区石牌街道", jurisdiction = "440106008002" })).JsonAsync();
        var id = created.GetProperty("id").GetString();
        await Send("shipai-officer", HttpMethod.Get, $"api/persons/{id}?purpose=caseHandling");
        await Send("tianhe-approver", HttpMethod.Post, "api/persons/lookup", new { idNumber = extraId });
        await Send("yuexiu-approver", HttpMethod.Post, "api/persons/lookup", new { idNumber = extraId });
        await Send("shipai-officer", HttpMethod.Post, "api/persons", new { name = "钱多多", idNumber = extraId, jurisdiction = "440106008002" });
        var code = (await (await http.PostAsJsonAsync(new Uri(runtime.WeChatSimulator!, "__sim/login"), new { user = "citizen-wang" })).JsonAsync()).GetProperty("code").GetString();
        var login = await (await http.PostAsJsonAsync("api/auth/wechat/login", new { code })).JsonAsync();
        var bind = new HttpRequestMessage(HttpMethod.Post, "api/auth/realname") { Content = JsonContent.Create(new { name = "刘芳", idNumber = DemoData.People[1].IdNumber }) };
        bind.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login.GetProperty("accessToken").GetString());
        var challenge = await (await http.SendAsync(bind)).JsonAsync();
        var sms = await (await http.GetAsync(new Uri(runtime.WeChatSimulator!, $"__sim/sms?to={DemoData.People[1].Phone}"))).JsonAsync();
        var confirm = new HttpRequestMessage(HttpMethod.Post, "api/auth/realname/confirm")
        {
            Content = JsonContent.Create(new { challengeId = challenge.GetProperty("challengeId").GetString(),
                code = System.Text.RegularExpressions.Regex.Match(sms[0].GetProperty("text").GetString()!, @"\d{6}").Value }),
        };
        confirm.Headers.Authorization = bind.Headers.Authorization;
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(confirm)).StatusCode);
        await Send("auditor", HttpMethod.Get, "api/audit/entries?pageSize=200");
        await Send("auditor", HttpMethod.Post, "api/audit/verify", new { });
        await http.PostAsJsonAsync("api/catalog/services/GZ-SA-001/prereviews?async=true", new { facts = new { householdInGuangzhou = true } });
        // Social assistance through the partner simulator: verification requests and replies on queues, the report,
        // the decision, notifications (in-app and WeChat) and the bank file.
        const string bankAccount = "6222020200112233445";
        var application = await (await Send("citizen-zhang", HttpMethod.Post, "api/assistance/applications",
            Assistance.AssistanceApi.Application(DemoHouseholds.Eligible, bankAccount))).JsonAsync();
        var applicationId = application.GetProperty("id").GetString()!;
        await Send("shipai-officer", HttpMethod.Post, $"api/assistance/applications/{applicationId}/accept", new { materialsCheckedAtCounter = true });
        await Assistance.AssistanceApi.WaitForStatusAsync(http, await Token("tianhe-approver"), applicationId, TimeSpan.FromSeconds(120), "awaitingDecision");
        await Send("tianhe-approver", HttpMethod.Post, $"api/assistance/applications/{applicationId}/decision", new { approve = true, reason = "符合条件" });
        await Send("tianhe-approver", HttpMethod.Post, "api/assistance/payments/runs", new { month = DateTime.UtcNow.AddHours(8).ToString("yyyyMM") });
        // Disaster: a citizen reports a need with a contact phone (also inside the description); staff read it, one unmasked.
        const string needPhone = "13600005678";
        var incident = await (await Send("tianhe-approver", HttpMethod.Post, "api/disaster/incidents", new
        {
            name = "天河区暴雨", type = "rainstorm", level = "IV", startedAt = DateTimeOffset.UtcNow.AddHours(-1), jurisdiction = "440106",
            area = new[] { new[] { 113.30, 23.10 }, new[] { 113.36, 23.10 }, new[] { 113.36, 23.16 }, new[] { 113.30, 23.10 } },
        })).JsonAsync();
        var need = await (await Send("citizen-zhang", HttpMethod.Post, "api/disaster/needs", new
        {
            incidentId = incident.GetProperty("id").GetString(), position = new { latitude = 23.13, longitude = 113.33 }, category = "water",
            quantity = 5, unit = "箱", contactPhone = needPhone, description = $"请联系 {needPhone}",
        })).JsonAsync();
        await Send("huashi-worker", HttpMethod.Get, $"api/disaster/needs/{need.GetProperty("needId").GetString()}?purpose=contact");
        await http.GetAsync("api/public/disaster/alerts");
        await http.GetAsync("api/public/disaster/alerts.cap");
        await Task.Delay(2000);

        var secrets = DemoData.People.Select(p => p.IdNumber).Concat(DemoData.People.Select(p => p.Phone).OfType<string>())
            .Concat(DemoHouseholds.All.SelectMany(h => h.Members).Select(m => m.IdNumber))
            .Append(extraId).Append(extraPhone).Append(bankAccount).Append(needPhone).Distinct().ToList();
        var findings = new List<string>();
        void Check(string where, string? text)
        {
            if (text is null) return;
            foreach (var secret in secrets.Where(s => text.Contains(s, StringComparison.Ordinal)))
                findings.Add($"{where}: {secret[..4]}…");
        }

        var tables = new TableServiceClient(azurite.ConnectionString);
        await foreach (var t in tables.QueryAsync())
            await foreach (var e in tables.GetTableClient(t.Name).QueryAsync<TableEntity>())
                foreach (var (key, value) in e)
                    Check($"table {t.Name} {key}", value?.ToString());
        var blobs = new BlobServiceClient(azurite.ConnectionString);
        await foreach (var c in blobs.GetBlobContainersAsync())
            await foreach (var b in blobs.GetBlobContainerClient(c.Name).GetBlobsAsync())
            {
                Check($"blob name {c.Name}/{b.Name}", b.Name);
                Check($"blob {c.Name}/{b.Name}", Encoding.UTF8.GetString((await blobs.GetBlobContainerClient(c.Name).GetBlobClient(b.Name).DownloadContentAsync()).Value.Content));
            }
        var queues = new QueueServiceClient(azurite.ConnectionString);
        await foreach (var q in queues.GetQueuesAsync())
        {
            Check($"queue name {q.Name}", q.Name);
            foreach (var m in (await queues.GetQueueClient(q.Name).PeekMessagesAsync(32)).Value)
            {
                Check($"queue {q.Name}", m.MessageText);
                try { Check($"queue {q.Name} (decoded)", Encoding.UTF8.GetString(Convert.FromBase64String(m.MessageText))); } catch (FormatException) { }
            }
        }
        foreach (var line in logs) Check("log", line);

        Assert.Contains(logs, l => l.Contains("processed", StringComparison.Ordinal)); // the capture saw function logs of the workload
        Assert.Empty(findings);
    }

    sealed class CaptureLogs(ConcurrentQueue<string> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(sink, categoryName);
        public void Dispose() { }

        sealed class Logger(ConcurrentQueue<string> sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}
