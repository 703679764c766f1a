using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.PartnerSimulator.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// Demo social-assistance cases for <c>./run.sh</c> (not used by tests): the three fixed households are applied for and
/// accepted through the HTTP API; in the background, once their verification and publicity are done, 张伟家 is approved and
/// paid for the current month and 李娜家 is rejected with reasons, while 李建国家 (a partner unit never answers) is left
/// awaiting the district's decision — one household in every outcome. Skipped when applications already exist.
/// </summary>
public static partial class DemoData
{
    public static async Task<Task?> SeedAssistanceAsync(FunctionsRuntime runtime, TextWriter log, CancellationToken ct = default)
    {
        var table = await runtime.Services.GetRequiredService<Tables>().GetAsync(TableNames.AssistanceApplications, ct);
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"], maxPerPage: 1, cancellationToken: ct))
            return null;

        var http = new HttpClient { BaseAddress = runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var cases = new List<(DemoHousehold Household, string Id, string Officer, string Approver, bool? Approve)>();
        foreach (var (household, submitter, officer, approver, approve) in new (DemoHousehold, string, string, string, bool?)[]
                 {
                     (DemoHouseholds.Eligible, "citizen-zhang", "shipai-officer", "tianhe-approver", true),
                     (DemoHouseholds.Ineligible, "citizen-li", "beijing-officer", "yuexiu-approver", false),
                     (DemoHouseholds.EligibleWithSilentUnit, "yanyunxi-worker", "beijing-officer", "yuexiu-approver", null),
                 })
        {
            var body = new
            {
                program = "minimumLivingAllowance", jurisdiction = household.Jurisdiction, bankAccount = "6222020200112233445",
                members = household.Members.Select(m => new { name = m.Name, idNumber = m.IdNumber, relationship = JsonNamingPolicy.CamelCase.ConvertName(m.Relationship.ToString()), consentSigned = true }),
            };
            var submitted = await SendAsync(http, submitter, HttpMethod.Post, "api/assistance/applications", body, ct);
            var id = submitted.GetProperty("id").GetString()!;
            await SendAsync(http, officer, HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true }, ct);
            cases.Add((household, id, officer, approver, approve));
        }
        log.WriteLine($"Demo data: 3 social-assistance applications accepted ({string.Join("; ", cases.Select(c => c.Household.Title))}); verification running.");

        // Decisions once each case reaches the district; runs in the background so start-up is not held up.
        return Task.Run(async () =>
        {
            try
            {
                foreach (var c in cases.Where(c => c.Approve is not null))
                {
                    for (var i = 0; i < 600; i++)
                    {
                        var view = await SendAsync(http, c.Approver, HttpMethod.Get, $"api/assistance/applications/{c.Id}", null, ct);
                        if (view.GetProperty("status").GetString() == "awaitingDecision") break;
                        await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    }
                    await SendAsync(http, c.Approver, HttpMethod.Post, $"api/assistance/applications/{c.Id}/decision",
                        new { approve = c.Approve, reason = c.Approve == true ? "经审核，符合最低生活保障条件（演示）。" : "经核对，家庭经济状况不符合条件（演示）" }, ct);
                }
                var month = DateTime.UtcNow.AddHours(8).ToString("yyyyMM");
                await SendAsync(http, "tianhe-approver", HttpMethod.Post, "api/assistance/payments/runs", new { month }, ct);
                log.WriteLine($"Demo data: 张伟家 approved and paid for {month}, 李娜家 rejected; 李建国家 awaits the 越秀 district's decision.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.WriteLine($"Demo data: assistance decisions not completed: {e.Message}");
            }
            finally
            {
                http.Dispose();
            }
        }, ct);
    }

    static async Task<JsonElement> SendAsync(HttpClient http, string account, HttpMethod method, string url, object? body, CancellationToken ct)
    {
        var token = (await (await http.PostAsJsonAsync("api/dev/token", new { account }, ct)).Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString();
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{method} {url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
