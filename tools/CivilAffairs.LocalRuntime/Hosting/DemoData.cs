using System.Net.Http.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>
/// Demo data for a first run: sample pre-reviews submitted through the public API (so they are
/// stored exactly as a citizen's would be) and statistics computed once. Skipped when
/// pre-reviews already exist, so a second run reuses the data.
/// </summary>
public static partial class DemoData
{
    public static async Task SeedAsync(FunctionsRuntime runtime, TextWriter log, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = runtime.BaseAddress };
        for (var i = 0; i < 150 && !(await http.GetAsync("api/catalog/services/GZ-SA-001", ct)).IsSuccessStatusCode; i++)
            await Task.Delay(200, ct);

        await SeedPeopleAsync(runtime, ct);
        await SeedDevicesAsync(runtime, ct);
        await SeedEldersAsync(runtime, ct);
        await SeedMealPointsAsync(runtime, ct);
        await SeedAlarmTerminalsAsync(runtime, ct);
        await SeedMarriageOfficesAsync(runtime, ct);

        var tables = runtime.Services.GetRequiredService<Tables>();
        var table = await tables.GetAsync(TableNames.CatalogPreReviews, ct);
        await foreach (var _ in table.QueryAsync<TableEntity>(select: ["RowKey"], maxPerPage: 1, cancellationToken: ct))
        {
            log.WriteLine("Demo data: already present, nothing added.");
            return;
        }

        var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
        string Date(int monthsAgo) => today.AddMonths(-monthsAgo).ToString("yyyy-MM-dd");
        var samples = new (string Code, object Body)[]
        {
            ("GZ-SA-001", new { materials = new object[] { new { code = "idCard", validUntil = "2035-01-01" }, new { code = "householdRegister" }, new { code = "incomeCertificate", issuedOn = Date(8) } },
                                facts = new { householdInGuangzhou = true, monthlyIncomePerCapita = 900, ownsVehicle = false } }),
            ("GZ-SA-001", new { materials = new object[] { new { code = "idCard", validUntil = "2035-01-01" }, new { code = "householdRegister" }, new { code = "applicationForm" },
                                new { code = "verificationConsent" }, new { code = "incomeCertificate", issuedOn = Date(1) }, new { code = "bankAccount" } },
                                facts = new { householdInGuangzhou = true, monthlyIncomePerCapita = 1100, ownsVehicle = false } }),
            ("GZ-EL-001", new { materials = new object[] { new { code = "idCard", validUntil = "9999-12-31" }, new { code = "householdRegister" }, new { code = "bankAccount" } },
                                facts = new { householdInGuangzhou = true, applicantAge = 82 } }),
            ("GZ-EL-003", new { materials = new object[] { new { code = "idCard", original = false, validUntil = "2030-06-30" } }, facts = new { applicantAge = 58 } }),
            ("GZ-MA-001", new { materials = new object[] { new { code = "idCardBoth", validUntil = "2033-03-01" }, new { code = "photo", count = 1 } },
                                facts = new { maleAge = 26, femaleAge = 25, eitherMarried = false } }),
            ("GZ-CH-002", new { materials = new object[] { new { code = "applicationForm" } }, facts = new { registeredYears = 0.5, annualReportPassed = true } }),
            ("GZ-DR-001", new { materials = new object[] { new { code = "idCard", validUntil = "2031-01-01" } }, facts = new { affectedByDisaster = true } }),
            ("GZ-FT-002", new { materials = new object[] { new { code = "idCard", validUntil = "2031-01-01" }, new { code = "healthCertificate", issuedOn = Date(2) } },
                                facts = new { adopterAge = 35, childrenCount = 0 } }),
        };
        foreach (var (code, body) in samples)
            (await http.PostAsJsonAsync($"api/catalog/services/{code}/prereviews", body, ct)).EnsureSuccessStatusCode();

        await runtime.Services.GetRequiredService<CivilAffairs.Application.Catalog.PreReviewStatisticsService>().RecomputeAsync(ct);
        log.WriteLine($"Demo data: {People.Count} residents, 2 WeChat citizens bound, {samples.Length} sample pre-reviews, statistics computed.");
    }
}
