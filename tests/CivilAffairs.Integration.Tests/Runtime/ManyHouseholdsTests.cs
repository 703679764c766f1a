using System.Globalization;
using System.Net;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Runtime;

/// <summary>
/// The one-machine stall (issue 12): with many households verifying at once, Azurite fell behind, partner-unit pollers
/// ended on a timed-out receive, and cases stayed "verifying" for good. Here a batch of new households (people the
/// partner simulator derives records for) is submitted and accepted at once; every one must leave verification.
/// </summary>
public sealed class ManyHouseholdsTests(AssistanceFixture fx) : IClassFixture<AssistanceFixture>
{
    const int Households = 10;
    static readonly string[] Verified = ["publicity", "awaitingDecision"];
    static readonly (string Community, string Officer)[] Communities =
        [("440106008001", "shipai-officer"), ("440106005001", "wushan-officer"), ("440106008002", "shipai-officer")];

    [Fact]
    public async Task Households_verified_at_the_same_time_all_leave_verification()
    {
        var submitter = await fx.TokenAsync("huashi-worker");
        var rng = new Random(20261203);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        string NewId(string division, int age)
        {
            while (true)
            {
                var first17 = division + today.AddYears(-age).AddDays(-rng.Next(1, 365)).ToString("yyyyMMdd", CultureInfo.InvariantCulture)
                    + rng.Next(0, 1000).ToString("D3", CultureInfo.InvariantCulture);
                var id = first17 + IdNumber.ComputeCheckCharacter(first17);
                if (used.Add(id)) return id;
            }
        }

        // Submitted and accepted all at once: every household's 60-unit round is in flight together.
        var cases = await Task.WhenAll(Enumerable.Range(0, Households).Select(async h =>
        {
            var (community, officer) = Communities[h % Communities.Length];
            var members = new List<object> { new { name = "梁" + h.ToString(CultureInfo.InvariantCulture) + "强", idNumber = NewId(community[..6], 40 + h), relationship = "applicant", consentSigned = true } };
            if (h % 2 == 0) members.Add(new { name = "何" + h.ToString(CultureInfo.InvariantCulture) + "芳", idNumber = NewId(community[..6], 38 + h), relationship = "spouse", consentSigned = true });
            var created = await fx.Http.As(submitter, HttpMethod.Post, "api/assistance/applications", new
            {
                program = "minimumLivingAllowance", jurisdiction = community,
                bankAccount = "6222" + rng.NextInt64(100_000_000_000_000, 999_999_999_999_999).ToString(CultureInfo.InvariantCulture),
                members,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.JsonAsync()).GetProperty("id").GetString()!;
            var officerToken = await fx.TokenAsync(officer);
            var accepted = await fx.Http.As(officerToken, HttpMethod.Post, $"api/assistance/applications/{id}/accept", new { materialsCheckedAtCounter = true });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            return (Id: id, Officer: officerToken);
        }));

        var stuck = cases.ToList();
        var deadline = DateTime.UtcNow.AddMinutes(8);
        while (stuck.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1000);
            var statuses = await Task.WhenAll(stuck.Select(async c =>
            {
                var view = await (await fx.Http.As(c.Officer, HttpMethod.Get, $"api/assistance/applications/{c.Id}")).JsonAsync();
                return (Case: c, Status: view.GetProperty("status").GetString());
            }));
            Assert.All(statuses, s => Assert.Contains(s.Status, (string[])["accepted", "verifying", .. Verified]));
            stuck = statuses.Where(s => !Verified.Contains(s.Status)).Select(s => s.Case).ToList();
        }
        Assert.True(stuck.Count == 0, $"{stuck.Count} of {Households} households still verifying after 8 minutes: {string.Join(", ", stuck.Select(c => c.Id))}");
    }
}
