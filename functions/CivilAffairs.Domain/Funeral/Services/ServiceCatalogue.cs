namespace CivilAffairs.Domain.Funeral.Services;

/// <summary>
/// One item of the funeral home's service list: a stable <see cref="Code"/>, its Chinese name and unit, the price in yuan, whether it is
/// one of the basic funeral services (基本殡葬服务, the only ones a fee exemption covers), the largest quantity one order may hold, and
/// for basic services billed per unit the most units an exemption covers (<see cref="ExemptQuantity"/>, null: all of them).
/// </summary>
public sealed record ServiceItem(string Code, string Name, string Unit, decimal UnitPrice, bool Basic, int MaxQuantity, int? ExemptQuantity = null);

/// <summary>The service codes (stable, used in requests).</summary>
public static class ServiceCodes
{
    /// <summary>遗体接运 (per trip).</summary>
    public const string BodyTransport = "bodyTransport";
    /// <summary>遗体存放 (cold storage, per day).</summary>
    public const string ColdStorage = "coldStorage";
    /// <summary>遗体火化.</summary>
    public const string Cremation = "cremation";
    /// <summary>普通骨灰盒.</summary>
    public const string OrdinaryUrn = "ordinaryUrn";
    /// <summary>告别厅 (optional, never exempted).</summary>
    public const string FarewellHall = "farewellHall";
    /// <summary>遗体整容 (optional, never exempted).</summary>
    public const string Restoration = "restoration";
}

/// <summary>
/// The catalogue with Guangzhou-like default prices (yuan). Prices are configuration (section <c>Funeral:Services</c>): the bureau
/// and the price authority publish them; these defaults are plausible figures for development and demos, not an official tariff.
/// </summary>
public static class ServiceCatalogue
{
    public static IReadOnlyList<ServiceItem> Defaults() =>
    [
        new(ServiceCodes.BodyTransport, "遗体接运", "车次", 300.00m, Basic: true, MaxQuantity: 3),
        new(ServiceCodes.ColdStorage, "遗体存放（冷藏）", "天", 80.00m, Basic: true, MaxQuantity: 90, ExemptQuantity: 7),
        new(ServiceCodes.Cremation, "遗体火化", "具", 500.00m, Basic: true, MaxQuantity: 1),
        new(ServiceCodes.OrdinaryUrn, "普通骨灰盒", "个", 200.00m, Basic: true, MaxQuantity: 1),
        new(ServiceCodes.FarewellHall, "告别厅（小厅）", "场", 800.00m, Basic: false, MaxQuantity: 2),
        new(ServiceCodes.Restoration, "遗体整容", "次", 300.00m, Basic: false, MaxQuantity: 1),
    ];

    /// <summary>Checks a configured catalogue: codes unique and non-empty, prices non-negative with at most two decimals, quantities positive.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<ServiceItem> items)
    {
        var problems = new List<string>();
        if (items.Count == 0) problems.Add("The funeral service catalogue is empty.");
        foreach (var dup in items.GroupBy(i => i.Code, StringComparer.Ordinal).Where(g => g.Count() > 1)) problems.Add($"Service code '{dup.Key}' appears more than once.");
        foreach (var i in items)
        {
            if (string.IsNullOrWhiteSpace(i.Code) || string.IsNullOrWhiteSpace(i.Name)) problems.Add("A service has no code or name.");
            if (i.UnitPrice < 0 || decimal.Round(i.UnitPrice, 2) != i.UnitPrice) problems.Add($"Service '{i.Code}': price must be non-negative yuan with at most two decimals.");
            if (i.MaxQuantity < 1) problems.Add($"Service '{i.Code}': MaxQuantity must be at least 1.");
            if (i.ExemptQuantity is < 0) problems.Add($"Service '{i.Code}': ExemptQuantity must not be negative.");
        }
        return problems;
    }
}
