using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.HomeCare;

/// <summary>Settings of section <c>Elderly:HomeCare</c>.</summary>
public sealed class HomeCareOptions
{
    /// <summary>How far from the elder's home a carer may check in (metres).</summary>
    public double MaxCheckInMetres { get; set; } = HomeCareOrder.DefaultMaxCheckInDistanceMetres;

    /// <summary>How old a check-in/out time sent with <c>at</c> may be (a phone that was offline sends its stamps later).</summary>
    public TimeSpan MaxStampAge { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Overrides of <see cref="HomeCareCatalogue.Default"/>'s hourly prices (yuan), e.g. <c>Elderly:HomeCare:HourlyPrices:Cleaning = 50</c>.</summary>
    public Dictionary<HomeCareServiceType, decimal> HourlyPrices { get; set; } = [];

    /// <summary>Overrides of the monthly subsidised hours per category, e.g. <c>Elderly:HomeCare:MonthlyHours:Aged60To79 = 4</c>.</summary>
    public Dictionary<ElderCategory, decimal> MonthlyHours { get; set; } = [];

    public HomeCareCatalogue Catalogue()
    {
        var d = HomeCareCatalogue.Default;
        if (HourlyPrices.Count == 0 && MonthlyHours.Count == 0) return d;
        var prices = d.HourlyPrices.ToDictionary(p => p.Key, p => HourlyPrices.GetValueOrDefault(p.Key, p.Value));
        var hours = d.MonthlySubsidisedHours.ToDictionary(h => h.Key, h => MonthlyHours.GetValueOrDefault(h.Key, h.Value));
        return new HomeCareCatalogue(prices, hours);
    }
}

public sealed record HomeCareServiceItem(HomeCareServiceType Service, string Name, decimal HourlyPrice);

public sealed record HomeCareBudgetItem(ElderCategory Category, string Name, decimal MonthlyHours);

/// <summary>The service catalogue (居家服务项目) with hourly prices, and the monthly subsidised hours per category.</summary>
public sealed record HomeCareCatalogueView(IReadOnlyList<HomeCareServiceItem> Services, IReadOnlyList<HomeCareBudgetItem> MonthlySubsidisedHours);

/// <summary>Body of <c>POST /api/elderly/home-care/orders</c>.</summary>
/// <param name="ProviderId">The provider (company code, e.g. <c>tianhe-homecare</c>) to assign at once; or later with <c>…/assign</c>.</param>
public sealed record HomeCareOrderRequest(string? ElderId, HomeCareServiceType? Service, DateOnly? ScheduledFor, string? ProviderId);

/// <summary>Body of <c>POST /api/elderly/home-care/orders/{id}/assign</c>.</summary>
public sealed record AssignProviderRequest(string? ProviderId);

/// <summary>Body of check-in and check-out: the carer's phone position and, when sent later (offline), when it was taken.</summary>
public sealed record VisitStampRequest(PositionBody? Position, DateTimeOffset? At);

/// <summary>Body of <c>POST /api/elderly/home-care/orders/{id}/cancel</c>.</summary>
public sealed record CancelOrderRequest(string? Reason);

public sealed record VisitStampView(PositionBody Position, DateTimeOffset At, string? Carer);

/// <summary>Who confirmed (the elder, a relative or the community worker) and when; the confirmer's name is stored encrypted and shown masked.</summary>
public sealed record ConfirmationView(VisitConfirmer By, string? Name, DateTimeOffset At);

/// <summary>The six EVV elements: service type, recipient, date, location, provider (and the carer), start and end.</summary>
public sealed record EvvView(HomeCareServiceType ServiceType, string ServiceName, string RecipientId, DateOnly Date, PositionBody Location, string ProviderId,
    string? Carer, DateTimeOffset Start, DateTimeOffset End);

public sealed record HomeCareOrderView(string Id, string ElderId, string? ElderName, string Jurisdiction, HomeCareServiceType Service, string ServiceName,
    DateOnly ScheduledFor, HomeCareOrderStatus Status, string StatusName, string? ProviderId, DateTimeOffset OrderedAt, string OrderedBy,
    VisitStampView? CheckIn, VisitStampView? CheckOut, ConfirmationView? Confirmation, string? CancelReason, EvvView? Evv, HomeCareBillingLine? Billing);

/// <summary>An assigned visit as the provider's carers see it: where to go (the elder's address, for the visit) and what to do.</summary>
public sealed record AssignedVisit(string OrderId, string ElderId, string? ElderName, string? Address, HomeCareServiceType Service, string ServiceName,
    DateOnly ScheduledFor, HomeCareOrderStatus Status, string StatusName);

public sealed record AssignedVisitList(int Count, IReadOnlyList<AssignedVisit> Items);

/// <summary>A provider's month (服务机构月度结算): one line per confirmed visit of elders in the caller's jurisdiction.</summary>
public sealed record HomeCareBillingList(string ProviderId, string Month, int Visits, decimal Hours, decimal Amount, decimal Subsidy, decimal ElderPays,
    IReadOnlyList<HomeCareBillingLine> Lines);
