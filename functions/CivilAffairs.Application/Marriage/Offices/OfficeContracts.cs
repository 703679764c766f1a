using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Offices;

/// <summary>One opening session as sent and shown: times <c>HH:mm</c> (China time).</summary>
public sealed record SessionBody(string? Opens, string? Closes);

/// <summary>Body of <c>POST /api/marriage/offices</c>.</summary>
/// <param name="Jurisdiction">The district (or a street in it) where the office is: its district is the office's.</param>
/// <param name="ClosedDates">Days the office is closed besides weekends and statutory holidays (e.g. a move).</param>
public sealed record OfficeRequest(string? Name, string? Jurisdiction, string? Address, IReadOnlyList<SessionBody>? Sessions,
    int? SlotMinutes, int? CapacityPerSlot, IReadOnlyList<DateOnly>? ClosedDates);

public sealed record OfficeView(string Id, string Name, string District, string DistrictName, string Address, IReadOnlyList<SessionBody> Sessions,
    int SlotMinutes, int CapacityPerSlot, IReadOnlyList<DateOnly> ClosedDates);

public sealed record SlotView(string Time, int Capacity, int Booked, int Available);

/// <summary>An office's slots on a day: none when it is closed (with the reason).</summary>
public sealed record OfficeDayView(string OfficeId, string OfficeName, DateOnly Date, bool Open, string? ClosedReason, IReadOnlyList<SlotView> Slots);

/// <summary>One line of the registrar's worklist.</summary>
/// <param name="Ready">For a marriage: both parties filled in, confirmed their statements and gave a photo.</param>
public sealed record WorklistItem(string BookingId, string Time, ServiceKind Kind, string KindName, BookingStatus Status, IReadOnlyList<string> Parties, bool Ready, string? RecordId);

public sealed record WorklistView(string OfficeId, DateOnly Date, int Count, IReadOnlyList<WorklistItem> Items);

public static class ServiceKindNames
{
    public static string ChineseName(this ServiceKind kind) => kind switch
    {
        ServiceKind.Marriage => "结婚登记",
        ServiceKind.Divorce => "离婚登记",
        _ => "补领婚姻登记证",
    };
}
