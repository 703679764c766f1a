using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>What kind of organisation a partner unit is.</summary>
public enum PartnerKind
{
    Government,
    Bank,
    Insurer,
    Securities,
    /// <summary>Courts, public institutions, mass organisations.</summary>
    Other,
}

/// <summary>The unit a category's figure is expressed in.</summary>
public enum CategoryUnit
{
    /// <summary>Yuan per month (an income).</summary>
    YuanPerMonth,
    /// <summary>Yuan (a balance or a total).</summary>
    Yuan,
    /// <summary>A number of items (homes, vehicles, businesses).</summary>
    Count,
    /// <summary>No figure: the unit answers with a fact in words (e.g. marriage status).</summary>
    Text,
}

/// <summary>The field of the household economic report a category feeds.</summary>
public enum ReportFeed
{
    MonthlyIncome,
    FinancialAssets,
    RealEstate,
    Vehicles,
    Businesses,
    /// <summary>Cash value of commercial insurance (counted with financial assets by the eligibility rules).</summary>
    Insurance,
    ProvidentFund,
    /// <summary>Shown in the report for the officer's judgement; no eligibility rule reads it.</summary>
    Other,
}

/// <summary>One of the 23 categories of information about an applicant.</summary>
/// <param name="Code">Stable lower-case code, e.g. <c>deposits</c>; the key of reply figures and facts.</param>
/// <param name="Name">Chinese name for people.</param>
public sealed record InformationCategory(string Code, string Name, CategoryUnit Unit, ReportFeed Feeds)
{
    /// <summary>True when replies carry a text fact rather than a figure.</summary>
    public bool IsFact => Unit == CategoryUnit.Text;

    /// <summary>True for monthly incomes (summed per month in the report), false for stocks and counts.</summary>
    public bool IsMonthly => Unit == CategoryUnit.YuanPerMonth;

    /// <summary>Chinese label of <see cref="Unit"/>: 元/月, 元, 个/套/辆, or empty for facts.</summary>
    public string UnitLabel => Unit switch
    {
        CategoryUnit.YuanPerMonth => "元/月",
        CategoryUnit.Yuan => "元",
        CategoryUnit.Count => "个",
        _ => "",
    };

    /// <summary>
    /// The eligibility-report field this category's figures add to, or null when no rule reads it
    /// (facts and <see cref="ReportFeed.Other"/>). Insurance cash value counts as a financial asset.
    /// </summary>
    public ReportField? ReportField => Feeds switch
    {
        ReportFeed.MonthlyIncome => Domain.Assistance.ReportField.MonthlyIncomePerCapita,
        ReportFeed.FinancialAssets or ReportFeed.Insurance => Domain.Assistance.ReportField.FinancialAssetsPerCapita,
        ReportFeed.RealEstate => Domain.Assistance.ReportField.RealEstate,
        ReportFeed.Vehicles => Domain.Assistance.ReportField.Vehicles,
        ReportFeed.Businesses => Domain.Assistance.ReportField.Businesses,
        ReportFeed.ProvidentFund => Domain.Assistance.ReportField.ProvidentFundPerCapita,
        _ => null,
    };
}

/// <summary>A partner unit of household economic-status verification (居民家庭经济状况核对).</summary>
/// <param name="Code">Stable lower-case code (<c>^[a-z0-9-]{2,40}$</c>), e.g. <c>police</c>, <c>bank-icbc</c>.</param>
/// <param name="Name">Chinese name.</param>
/// <param name="Categories">Codes of the categories the unit supplies.</param>
/// <param name="ReplyDeadline">How long to wait for its reply by default.</param>
/// <param name="Source">Where the entry comes from and what about it is illustrative.</param>
public sealed record PartnerUnit(string Code, string Name, PartnerKind Kind, IReadOnlyList<string> Categories, TimeSpan ReplyDeadline, string Source)
{
    /// <summary>The Storage queue the unit reads its requests from.</summary>
    public string RequestQueue => PartnerQueues.RequestQueue(Code);

    /// <summary>The CloudEvents <c>source</c> of the unit's replies.</summary>
    public string ReplySource => PartnerEventTypes.ReplySource(Code);

    public bool Supplies(string category) => Categories.Contains(category, StringComparer.Ordinal);
}

/// <summary>
/// The 60 partner units and 23 information categories (reference data shipped with the app as the
/// embedded resource <c>CivilAffairs.Assistance.partners.json</c>), validated on load.
/// </summary>
public sealed partial class PartnerCatalogue
{
    /// <summary>Units the seed document counts: 9 government departments, 29 banks, 12 insurers, the securities depository and others.</summary>
    public const int ExpectedUnits = 60;
    public const int ExpectedCategories = 23;
    public const int ExpectedBanks = 29;
    public const int ExpectedInsurers = 12;

    const string ResourceName = "CivilAffairs.Assistance.partners.json";
    static readonly Lazy<PartnerCatalogue> BuiltIn = new(LoadBuiltIn);

    readonly Dictionary<string, PartnerUnit> units;
    readonly Dictionary<string, InformationCategory> categories;

    PartnerCatalogue(string source, IReadOnlyList<PartnerUnit> unitList, IReadOnlyList<InformationCategory> categoryList)
    {
        Source = source;
        Units = unitList;
        Categories = categoryList;
        units = unitList.ToDictionary(u => u.Code, StringComparer.Ordinal);
        categories = categoryList.ToDictionary(c => c.Code, StringComparer.Ordinal);
    }

    /// <summary>Where the data comes from and what is illustrative.</summary>
    public string Source { get; }

    /// <summary>The units in catalogue order (government departments, banks, insurers, securities, others).</summary>
    public IReadOnlyList<PartnerUnit> Units { get; }

    public IReadOnlyList<InformationCategory> Categories { get; }

    /// <summary>The built-in catalogue (parsed and validated once per process).</summary>
    /// <exception cref="InvalidDataException">The shipped data is inconsistent.</exception>
    public static PartnerCatalogue Load() => BuiltIn.Value;

    public PartnerUnit? Find(string? code) => code is not null && units.TryGetValue(code, out var unit) ? unit : null;

    public InformationCategory? FindCategory(string? code) => code is not null && categories.TryGetValue(code, out var c) ? c : null;

    /// <summary>The units that supply <paramref name="category"/>, in catalogue order.</summary>
    public IReadOnlyList<PartnerUnit> SuppliersOf(string category) => Units.Where(u => u.Supplies(category)).ToList();

    /// <summary>
    /// The figures of a reply as evidence for <see cref="HouseholdEconomicReport.Build"/>: one per figure about a member
    /// the unit found whose category feeds an eligibility field and is supplied by the replying unit. Facts and unknown
    /// categories are skipped.
    /// </summary>
    /// <param name="replyHash">A hash identifying the reply (e.g. SM3 of the envelope), kept as evidence.</param>
    public IReadOnlyList<ReportedFigure> ReportedFigures(VerificationReply reply, string replyHash)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (Find(reply.UnitCode) is not { } unit) return [];
        var figures = new List<ReportedFigure>();
        foreach (var subject in reply.Subjects ?? [])
        {
            if (subject.Status != ReplyStatus.Found) continue;
            foreach (var (code, amount) in subject.Figures ?? new Dictionary<string, decimal>())
            {
                if (!unit.Supplies(code) || FindCategory(code) is not { IsFact: false, ReportField: { } field } category) continue;
                figures.Add(new ReportedFigure(subject.MemberRef, unit.Code, code, field, amount, category.IsMonthly, reply.AnsweredAt, replyHash));
            }
        }
        return figures;
    }

    /// <summary>
    /// Parses and validates a catalogue document (the shape of the embedded resource). Checks: 60 units
    /// (29 banks, 12 insurers), 23 categories, unique codes matching <c>^[a-z0-9-]{2,40}$</c> without leading,
    /// trailing or doubled hyphens (so <c>partner-&lt;code&gt;-requests</c> is a valid queue name), names present,
    /// every unit supplies known categories, every category is supplied, units and feeds consistent, deadlines positive.
    /// </summary>
    /// <exception cref="InvalidDataException">The document is not valid; the message lists every problem.</exception>
    public static PartnerCatalogue Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        CatalogueDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<CatalogueDocument>(json, JsonDefaults.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Partner catalogue is not valid JSON ({e.Path}, line {e.LineNumber + 1}).");
        }
        if (document is null) throw new InvalidDataException("Partner catalogue is empty.");

        var problems = new List<string>();
        var categoryList = new List<InformationCategory>();
        foreach (var c in document.Categories ?? [])
        {
            if (c is null) { problems.Add("a category entry is null"); continue; }
            if (!IsValidCode(c.Code)) problems.Add($"category code '{c.Code}' is not ^[a-z0-9-]{{2,40}}$ without leading, trailing or doubled hyphens");
            if (string.IsNullOrWhiteSpace(c.Name)) problems.Add($"category '{c.Code}' has no name");
            if (c.Unit is not { } unit) { problems.Add($"category '{c.Code}' has no unit"); continue; }
            if (c.Feeds is not { } feeds) { problems.Add($"category '{c.Code}' has no feeds"); continue; }
            var consistent = feeds switch
            {
                ReportFeed.MonthlyIncome => unit == CategoryUnit.YuanPerMonth,
                ReportFeed.FinancialAssets or ReportFeed.Insurance or ReportFeed.ProvidentFund => unit == CategoryUnit.Yuan,
                ReportFeed.RealEstate or ReportFeed.Vehicles or ReportFeed.Businesses => unit == CategoryUnit.Count,
                _ => true,
            };
            if (!consistent) problems.Add($"category '{c.Code}' feeds {feeds} but is measured in {unit}");
            categoryList.Add(new InformationCategory(c.Code ?? "", c.Name ?? "", unit, feeds));
        }

        var unitList = new List<PartnerUnit>();
        foreach (var u in document.Units ?? [])
        {
            if (u is null) { problems.Add("a unit entry is null"); continue; }
            if (!IsValidCode(u.Code)) problems.Add($"unit code '{u.Code}' is not ^[a-z0-9-]{{2,40}}$ without leading, trailing or doubled hyphens");
            if (string.IsNullOrWhiteSpace(u.Name)) problems.Add($"unit '{u.Code}' has no name");
            if (string.IsNullOrWhiteSpace(u.Source)) problems.Add($"unit '{u.Code}' has no source");
            if (u.Kind is null) problems.Add($"unit '{u.Code}' has no kind");
            var supplied = u.Categories ?? [];
            if (supplied.Count == 0) problems.Add($"unit '{u.Code}' supplies no category");
            foreach (var code in supplied.Where(code => categoryList.All(c => c.Code != code)))
                problems.Add($"unit '{u.Code}' supplies unknown category '{code}'");
            if (supplied.Distinct(StringComparer.Ordinal).Count() != supplied.Count) problems.Add($"unit '{u.Code}' lists a category twice");
            TimeSpan deadline = default;
            try
            {
                deadline = u.ReplyDeadline is { Length: > 0 } d ? XmlConvert.ToTimeSpan(d) : TimeSpan.Zero;
            }
            catch (FormatException)
            {
                problems.Add($"unit '{u.Code}' has a reply deadline that is not an ISO 8601 duration");
            }
            if (deadline <= TimeSpan.Zero) problems.Add($"unit '{u.Code}' needs a positive replyDeadline (ISO 8601 duration, e.g. P2D)");
            unitList.Add(new PartnerUnit(u.Code ?? "", u.Name ?? "", u.Kind ?? PartnerKind.Other, supplied.ToList(), deadline, u.Source ?? ""));
        }

        if (unitList.Count != ExpectedUnits) problems.Add($"{unitList.Count} units instead of {ExpectedUnits}");
        if (categoryList.Count != ExpectedCategories) problems.Add($"{categoryList.Count} categories instead of {ExpectedCategories}");
        var banks = unitList.Count(u => u.Kind == PartnerKind.Bank);
        if (banks != ExpectedBanks) problems.Add($"{banks} banks instead of {ExpectedBanks}");
        var insurers = unitList.Count(u => u.Kind == PartnerKind.Insurer);
        if (insurers != ExpectedInsurers) problems.Add($"{insurers} insurers instead of {ExpectedInsurers}");
        if (!unitList.Any(u => u.Kind == PartnerKind.Securities)) problems.Add("no securities depository");
        foreach (var duplicate in unitList.GroupBy(u => u.Code).Where(g => g.Count() > 1)) problems.Add($"unit code '{duplicate.Key}' is used {duplicate.Count()} times");
        foreach (var duplicate in categoryList.GroupBy(c => c.Code).Where(g => g.Count() > 1)) problems.Add($"category code '{duplicate.Key}' is used {duplicate.Count()} times");
        foreach (var orphan in categoryList.Where(c => !unitList.Any(u => u.Supplies(c.Code))))
            problems.Add($"category '{orphan.Code}' is supplied by no unit");

        if (problems.Count > 0) throw new InvalidDataException("Partner catalogue is invalid: " + string.Join("; ", problems) + ".");
        return new PartnerCatalogue(document.Source ?? "", unitList, categoryList);
    }

    /// <summary>
    /// True for a valid unit or category code: 2–40 of a–z, 0–9 and '-', starting and ending with a letter or digit,
    /// no "--". Such a code makes <c>partner-&lt;code&gt;-requests</c> a valid Storage queue name.
    /// </summary>
    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code) && !code.Contains("--", StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$")]
    private static partial Regex CodePattern();

    static PartnerCatalogue LoadBuiltIn()
    {
        using var stream = typeof(PartnerCatalogue).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource '{ResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    sealed record CatalogueDocument(string? Source, IReadOnlyList<CategoryEntry?>? Categories, IReadOnlyList<UnitEntry?>? Units);

    sealed record CategoryEntry(string? Code, string? Name, CategoryUnit? Unit, ReportFeed? Feeds);

    sealed record UnitEntry(string? Code, string? Name, PartnerKind? Kind, IReadOnlyList<string>? Categories, string? ReplyDeadline, string? Source);
}
