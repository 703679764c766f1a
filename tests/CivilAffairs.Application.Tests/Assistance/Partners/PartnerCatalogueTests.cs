using System.Text.Json.Nodes;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Application.Tests.Assistance.Partners;

public class PartnerCatalogueTests
{
    static readonly PartnerCatalogue Catalogue = PartnerCatalogue.Load();

    static string BuiltInJson()
    {
        using var stream = typeof(PartnerCatalogue).Assembly.GetManifestResourceStream("CivilAffairs.Assistance.partners.json")!;
        return new StreamReader(stream).ReadToEnd();
    }

    [Fact]
    public void Has_the_60_units_and_23_categories_of_the_seed()
    {
        Assert.Equal(60, Catalogue.Units.Count);
        Assert.Equal(23, Catalogue.Categories.Count);
        Assert.Equal(29, Catalogue.Units.Count(u => u.Kind == PartnerKind.Bank));
        Assert.Equal(12, Catalogue.Units.Count(u => u.Kind == PartnerKind.Insurer));
        Assert.Equal("csdc", Assert.Single(Catalogue.Units, u => u.Kind == PartnerKind.Securities).Code);
        foreach (var department in new[] { "police", "hrss", "tax-state", "tax-local", "land", "market", "housing-fund", "disabled-fed", "civil-affairs" })
            Assert.Equal(PartnerKind.Government, Catalogue.Find(department)?.Kind);
        Assert.Same(Catalogue, PartnerCatalogue.Load());
        Assert.False(string.IsNullOrWhiteSpace(Catalogue.Source));
    }

    [Fact]
    public void Codes_are_unique_and_make_valid_queue_names()
    {
        Assert.Equal(Catalogue.Units.Count, Catalogue.Units.Select(u => u.Code).Distinct().Count());
        Assert.Equal(Catalogue.Categories.Count, Catalogue.Categories.Select(c => c.Code).Distinct().Count());
        foreach (var unit in Catalogue.Units)
        {
            Assert.Matches("^[a-z0-9-]{2,40}$", unit.Code);
            Assert.Equal($"partner-{unit.Code}-requests", unit.RequestQueue);
            Assert.True(PartnerQueues.IsValidQueueName(unit.RequestQueue), unit.RequestQueue);
            Assert.True(unit.RequestQueue.Length <= 63);
            Assert.Equal($"urn:civilaffairs:partner:{unit.Code}", unit.ReplySource);
        }
        Assert.True(PartnerQueues.IsValidQueueName(PartnerQueues.Replies));
        foreach (var category in Catalogue.Categories) Assert.Matches("^[a-z0-9-]{2,40}$", category.Code);
    }

    [Fact]
    public void Every_unit_has_names_deadlines_sources_and_known_categories_and_every_category_a_supplier()
    {
        foreach (var unit in Catalogue.Units)
        {
            Assert.False(string.IsNullOrWhiteSpace(unit.Name));
            Assert.False(string.IsNullOrWhiteSpace(unit.Source));
            Assert.True(unit.ReplyDeadline > TimeSpan.Zero);
            Assert.NotEmpty(unit.Categories);
            Assert.All(unit.Categories, c => Assert.NotNull(Catalogue.FindCategory(c)));
        }
        foreach (var category in Catalogue.Categories)
        {
            Assert.False(string.IsNullOrWhiteSpace(category.Name));
            Assert.NotEmpty(Catalogue.SuppliersOf(category.Code));
        }
        Assert.Equal(29, Catalogue.SuppliersOf("deposits").Count);
        Assert.Equal(12, Catalogue.SuppliersOf("commercial-insurance").Count);
        Assert.Null(Catalogue.Find("nobody"));
        Assert.Null(Catalogue.Find(null));
    }

    [Fact]
    public void Categories_feed_the_eligibility_fields()
    {
        Assert.Equal(ReportField.MonthlyIncomePerCapita, Catalogue.FindCategory("wages")!.ReportField);
        Assert.True(Catalogue.FindCategory("wages")!.IsMonthly);
        Assert.Equal(ReportField.FinancialAssetsPerCapita, Catalogue.FindCategory("deposits")!.ReportField);
        Assert.Equal(ReportField.FinancialAssetsPerCapita, Catalogue.FindCategory("commercial-insurance")!.ReportField);
        Assert.Equal(ReportField.RealEstate, Catalogue.FindCategory("real-estate")!.ReportField);
        Assert.Equal(ReportField.Vehicles, Catalogue.FindCategory("vehicles")!.ReportField);
        Assert.Equal(ReportField.Businesses, Catalogue.FindCategory("business-registration")!.ReportField);
        Assert.Equal(ReportField.ProvidentFundPerCapita, Catalogue.FindCategory("provident-fund")!.ReportField);
        Assert.True(Catalogue.FindCategory("marriage")!.IsFact);
        Assert.Null(Catalogue.FindCategory("marriage")!.ReportField);
        foreach (var feed in Enum.GetValues<ReportFeed>())
            Assert.Contains(Catalogue.Categories, c => c.Feeds == feed);
    }

    [Fact]
    public void Reported_figures_keep_figures_the_unit_supplies_and_skip_facts()
    {
        var at = new DateTimeOffset(2025, 7, 1, 10, 0, 0, TimeSpan.FromHours(8));
        var reply = new VerificationReply("r1", "c1", "hrss",
            [
                new("m1", ReplyStatus.Found, new Dictionary<string, decimal> { ["wages"] = 2300m, ["pensions"] = 0m, ["deposits"] = 99999m },
                    new Dictionary<string, string> { ["marriage"] = "已婚" }),
                new("m2", ReplyStatus.NotFound, new Dictionary<string, decimal> { ["wages"] = 5000m }, new Dictionary<string, string>()),
            ], at);

        var figures = Catalogue.ReportedFigures(reply, "hash");

        Assert.Equal(["pensions", "wages"], figures.Select(f => f.Category).Order());
        var wages = figures.Single(f => f.Category == "wages");
        Assert.Equal(("m1", "hrss", ReportField.MonthlyIncomePerCapita, 2300m, true, "hash"), (wages.MemberRef, wages.UnitCode, wages.Field, wages.Amount, wages.Monthly, wages.ReplyHash));
        Assert.Empty(Catalogue.ReportedFigures(reply with { Subjects = [reply.Subjects[0] with { Status = ReplyStatus.Error }] }, "hash"));
    }

    [Fact]
    public void The_built_in_document_parses()
    {
        var parsed = PartnerCatalogue.Parse(BuiltInJson());
        Assert.Equal(Catalogue.Units.Select(u => u.Code), parsed.Units.Select(u => u.Code));
        Assert.Equal(TimeSpan.FromDays(2), parsed.Find("police")!.ReplyDeadline);
    }

    public static TheoryData<string, string> Broken => new()
    {
        { "drop-unit", "59 units instead of 60" },
        { "drop-category", "22 categories instead of 23" },
        { "duplicate-unit", "unit code 'police' is used 2 times" },
        { "bad-code", "unit code 'Police_HQ'" },
        { "double-hyphen", "unit code 'bank--icbc'" },
        { "unknown-category", "supplies unknown category 'horoscope'" },
        { "orphan-category", "category 'marriage' is supplied by no unit" },
        { "bad-deadline", "positive replyDeadline" },
        { "inconsistent-feed", "feeds MonthlyIncome but is measured in Count" },
        { "bank-as-other", "28 banks instead of 29" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Validation_rejects_inconsistent_documents(string change, string expected)
    {
        var root = JsonNode.Parse(BuiltInJson())!.AsObject();
        var units = root["units"]!.AsArray();
        var categories = root["categories"]!.AsArray();
        JsonObject Unit(string code) => units.Select(u => u!.AsObject()).Single(u => (string?)u["code"] == code);
        switch (change)
        {
            case "drop-unit": units.RemoveAt(units.Count - 1); break;
            case "drop-category": categories.RemoveAt(categories.Count - 1); break;
            case "duplicate-unit": Unit("hrss")["code"] = "police"; break;
            case "bad-code": Unit("police")["code"] = "Police_HQ"; break;
            case "double-hyphen": Unit("bank-icbc")["code"] = "bank--icbc"; break;
            case "unknown-category": Unit("police")["categories"]!.AsArray().Add("horoscope"); break;
            case "orphan-category": Unit("civil-affairs")["categories"] = new JsonArray("death-records", "assistance-status"); break;
            case "bad-deadline": Unit("police")["replyDeadline"] = "PT0S"; break;
            case "inconsistent-feed": categories.Select(c => c!.AsObject()).Single(c => (string?)c["code"] == "wages")["unit"] = "count"; break;
            case "bank-as-other": Unit("bank-scb")["kind"] = "other"; break;
        }

        var error = Assert.Throws<InvalidDataException>(() => PartnerCatalogue.Parse(root.ToJsonString()));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Request_queue_names_reject_invalid_codes()
    {
        Assert.Equal("partner-police-requests", PartnerQueues.RequestQueue("police"));
        Assert.Throws<ArgumentException>(() => PartnerQueues.RequestQueue("Police"));
        Assert.Throws<ArgumentException>(() => PartnerQueues.RequestQueue("-police"));
        Assert.Throws<ArgumentException>(() => PartnerQueues.RequestQueue(new string('a', 41)));
        Assert.False(PartnerQueues.IsValidQueueName("partner--x"));
        Assert.False(PartnerQueues.IsValidQueueName(new string('a', 64)));
    }
}
