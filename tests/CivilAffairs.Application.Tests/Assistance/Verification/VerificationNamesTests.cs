using CivilAffairs.Application.Assistance.Verification;

namespace CivilAffairs.Application.Tests.Assistance.Verification;

public class VerificationNamesTests
{
    [Fact]
    public void A_correlation_id_round_trips_to_its_application_and_round()
    {
        var id = Ulid.NewUlid().ToString();
        var correlation = VerificationNames.CorrelationId(id, 3);
        Assert.True(VerificationNames.TryParseInstance(correlation, out var parsed, out var round));
        Assert.Equal(id, parsed);
        Assert.Equal(3, round);
        Assert.NotEqual(VerificationNames.UnitAnsweredEvent(1, "police"), VerificationNames.UnitAnsweredEvent(2, "police"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("case-01JCZ8DEM00000000000000001")]
    [InlineData("verify-not-a-ulid-r1")]
    [InlineData("verify-01JCZ8DEM00000000000000001-rx")]
    [InlineData("verify-01JCZ8DEM00000000000000001-r-1")]
    [InlineData("verify-01JCZ8DEM00000000000000001")]
    public void Anything_else_is_not_a_correlation_id(string? value) =>
        Assert.False(VerificationNames.TryParseInstance(value, out _, out _));
}

public class DeclaredComparisonTests
{
    static CivilAffairs.Application.Assistance.Applications.StoredMember M(decimal income, decimal assets) =>
        new("m1", "张三", "440106195803121235", CivilAffairs.Domain.Assistance.Relationship.Applicant, true, income, "idx", null, assets);

    [Fact]
    public void Understated_income_is_flagged_and_a_faithful_declaration_is_not()
    {
        var report = CivilAffairs.Domain.Assistance.HouseholdEconomicReport.Build(2,
        [
            new("m1", "hrss", "wages", CivilAffairs.Domain.Assistance.ReportField.MonthlyIncomePerCapita, 3000m, true, DateTimeOffset.UtcNow, "h"),
            new("m1", "icbc", "deposits", CivilAffairs.Domain.Assistance.ReportField.FinancialAssetsPerCapita, 10000m, false, DateTimeOffset.UtcNow, "h"),
        ], ["hrss", "icbc"], [], []);
        var rows = VerificationService.Compare([M(1000m, 9800m), M(0m, 0m) with { MemberRef = "m2" }], report);
        var income = rows.Single(r => r.Field == CivilAffairs.Domain.Assistance.ReportField.MonthlyIncomePerCapita);
        Assert.Equal(500m, income.Declared);
        Assert.Equal(1500m, income.Verified);
        Assert.True(income.Understated);
        var assets = rows.Single(r => r.Field == CivilAffairs.Domain.Assistance.ReportField.FinancialAssetsPerCapita);
        Assert.Equal(4900m, assets.Declared);
        Assert.False(assets.Understated);
    }
}
