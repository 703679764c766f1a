using CivilAffairs.Domain.Funeral.Services;

namespace CivilAffairs.Application.Funeral.Services;

/// <summary>A configured override of one catalogue item (section <c>Funeral:Services:Prices:{code}</c>).</summary>
public sealed class ServicePrice
{
    public decimal? UnitPrice { get; set; }
    public int? MaxQuantity { get; set; }
    public int? ExemptQuantity { get; set; }
}

/// <summary>Funeral service settings (section <c>Funeral:Services</c>): prices per service code over the defaults of <see cref="ServiceCatalogue"/>.</summary>
public sealed class FuneralServiceOptions
{
    public const string SectionName = "Funeral:Services";

    /// <summary>Price overrides by service code (e.g. <c>Funeral__Services__Prices__cremation__UnitPrice=520</c>); unknown codes are ignored.</summary>
    public Dictionary<string, ServicePrice> Prices { get; set; } = [];

    /// <summary>The catalogue: the defaults with the configured prices applied.</summary>
    public IReadOnlyList<ServiceItem> Catalogue() => [.. ServiceCatalogue.Defaults().Select(i => Prices.TryGetValue(i.Code, out var p)
        ? i with { UnitPrice = p.UnitPrice ?? i.UnitPrice, MaxQuantity = p.MaxQuantity ?? i.MaxQuantity, ExemptQuantity = p.ExemptQuantity ?? i.ExemptQuantity }
        : i)];
}

/// <summary>Body of <c>POST /api/funeral/service-orders</c>: the deceased (ID number in the body, never the URL).</summary>
/// <param name="DateOfDeath">China date; if absent, the death register's date, else today. The exemption is judged on this date.</param>
/// <param name="DeathId">Optional reference to the death registration.</param>
public sealed record OpenOrderRequest(string? Name, string? IdNumber, DateOnly? DateOfDeath, string? DeathId);

/// <summary>Body of <c>POST /api/funeral/service-orders/{id}/lines</c>.</summary>
public sealed record AddLineRequest(string? Code, int? Quantity);

public sealed record CatalogueItemView(string Code, string Name, string Unit, decimal UnitPrice, bool Basic, int MaxQuantity, int? ExemptQuantity, string Exemption);

public sealed record CatalogueView(IReadOnlyList<CatalogueItemView> Items, string Policy);

/// <summary>The deceased as the order shows them: name, ID number masked.</summary>
public sealed record DeceasedView(string Name, string IdNumber);

/// <summary>
/// A service order: each line with price, exemption and payable, the totals, and the reason for the exemption. While open the bill is
/// computed at today's prices; settled, it is the frozen bill with its number.
/// </summary>
public sealed record OrderView(string Id, string SiteId, OrderStatus Status, string StatusName, DeceasedView Deceased, DateOnly StatusDate, string? DeathId,
    ExemptionGroup? Exemption, string? ExemptionName, string ExemptionReason, IReadOnlyList<BillLine> Lines, decimal Total, decimal Exempted, decimal Payable,
    bool Frozen, string? BillNumber, DateTimeOffset OpenedAt, DateTimeOffset? SettledAt, DateTimeOffset? CancelledAt);

/// <summary>One settled order in a month's reimbursement summary (ids and amounts only).</summary>
public sealed record SummaryRow(string OrderId, string BillNumber, DateTimeOffset SettledAt, ExemptionGroup? Exemption, decimal Total, decimal Exempted, decimal Payable);

public sealed record GroupTotal(ExemptionGroup Exemption, string Name, int Orders, decimal Exempted);

/// <summary>The exempted amounts of one funeral home in one month (China month of settlement): what the city reimburses.</summary>
public sealed record ExemptionSummary(string SiteId, string Month, int Orders, int ExemptedOrders, decimal Total, decimal Exempted, decimal Payable,
    IReadOnlyList<GroupTotal> ByGroup, IReadOnlyList<SummaryRow> Rows);
