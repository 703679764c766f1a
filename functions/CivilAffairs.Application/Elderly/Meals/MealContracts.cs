using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Disaster.Supplies;
using CivilAffairs.Domain.Elderly;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>Body of <c>POST /api/elderly/meal-points</c>.</summary>
/// <param name="Jurisdiction">The street (9 digits) or community (12 digits) the meal point belongs to; its district (first 6 digits) is the district whose elders it serves at the full subsidy.</param>
/// <param name="Capacity">Seats (meals per sitting), 1–1000.</param>
/// <param name="MenuPrice">Price of the standard subsidised meal in yuan (default 12.00).</param>
public sealed record MealPointRequest(string? Name, PositionBody? Position, int? Capacity, string? Jurisdiction, decimal? MenuPrice);

public sealed record MealPointView(string Id, string Name, PositionBody Position, int Capacity, string Jurisdiction, string JurisdictionName,
    string DistrictCode, decimal MenuPrice, string TerminalId, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>Answer of a registration: the meal point and its till terminal's one-time secret (exchange it at <c>POST /api/disaster/devices/token</c>).</summary>
public sealed record MealPointRegistered(MealPointView MealPoint, DeviceCredentials Terminal);

public sealed record MealPointList(int Count, IReadOnlyList<MealPointView> Items);

/// <summary>Body of <c>POST /api/elderly/meal-transactions</c>, sent by a meal point's terminal.</summary>
/// <param name="ReceiptId">The till's receipt number (letters, digits, <c>-</c>, <c>_</c>; at most 64): one meal, recorded once.</param>
/// <param name="CardNumber">The elder's meal card number, or the content of their meal QR code — never the ID number.</param>
/// <param name="ServedAt">When the meal was served (default now); the China date decides the day and whether the elder's services still run.</param>
/// <param name="Price">The price charged at the till, when it differs from the meal point's menu price.</param>
public sealed record MealTransactionRequest(string? ReceiptId, string? CardNumber, DateTimeOffset? ServedAt, decimal? Price);

/// <summary>What one meal costs whom (yuan). <c>price = cityPays + districtPays + elderPays</c>; <c>duplicate</c> when the receipt was already recorded (counted once).</summary>
public sealed record MealTransactionView(string ReceiptId, string MealPointId, string ElderId, string? ElderName, DateOnly Date, DateTimeOffset ServedAt,
    SubsidyTier Tier, string TierName, decimal Price, decimal Subsidy, decimal CityPays, decimal DistrictPays, decimal ElderPays, bool OutOfDistrict, bool Duplicate);

/// <summary>One meal point's day (日结): live figures from the day's transactions, and when the nightly run settled it.</summary>
public sealed record MealSettlementView(string MealPointId, string MealPointName, string DistrictCode, DateOnly Date, int Meals, decimal PriceTotal,
    decimal ElderPaid, decimal CityPays, decimal DistrictPays, DateTimeOffset? SettledAt);

/// <summary>One meal point's part of a district's month.</summary>
public sealed record MealReconciliationLine(string MealPointId, string MealPointName, string MealPointDistrictCode, bool OutsideDistrict, int Meals,
    decimal PriceTotal, decimal ElderPaid, decimal CityPays, decimal DistrictPays);

/// <summary>A district's month (月度对账): what the district owes for its elders' meals at its own points, and the city's shares.</summary>
public sealed record MealReconciliationView(string DistrictCode, string DistrictName, string Month, int Meals, decimal DistrictOwes, decimal CityPays,
    int MealsOutsideDistrict, decimal CityPaysOutsideDistrict, IReadOnlyList<MealReconciliationLine> MealPoints);

