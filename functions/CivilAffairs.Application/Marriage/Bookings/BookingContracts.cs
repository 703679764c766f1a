using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Bookings;

/// <summary>The other party of a marriage booking, as the booker names them (checked against the person index at registration).</summary>
public sealed record PartnerBody(string? Name, string? IdNumber);

/// <summary>Body of <c>POST /api/marriage/bookings</c>.</summary>
/// <param name="Time">Slot start <c>HH:mm</c> (China time), one of the office's slots that day.</param>
/// <param name="Partner">Marriage: the other party (name and ID number travel in the body, never the URL).</param>
/// <param name="DivorceId">Divorce: the couple's divorce application (both must appear after the cooling-off).</param>
/// <param name="RecordId">Replacement: the caller's record whose certificate is to be replaced.</param>
public sealed record BookingRequest(string? OfficeId, DateOnly? Date, string? Time, ServiceKind? Kind, PartnerBody? Partner, string? DivorceId, string? RecordId);

/// <summary>Body of <c>POST /api/marriage/bookings/{id}/reschedule</c> (the office may change too).</summary>
public sealed record RescheduleRequest(string? OfficeId, DateOnly? Date, string? Time);

/// <summary>Body of <c>PUT /api/marriage/bookings/{id}/parties/{party}</c>: a party's own data (预填), filled with their own account.</summary>
public sealed record PreFillRequest(string? Name, string? IdNumber, string? Phone, string? Occupation, string? Education, string? Nationality);

/// <summary>Body of <c>POST /api/marriage/bookings/{id}/parties/{party}/confirm</c>: the party's signed statements (声明).</summary>
/// <param name="NoSpouse">本人无配偶.</param>
/// <param name="NoProhibitedKinship">本人与对方没有直系血亲和三代以内旁系血亲关系.</param>
public sealed record ConfirmRequest(bool? NoSpouse, bool? NoProhibitedKinship);

/// <summary>Body of the registrar's steps (checks, registration, divorce registration, replacement).</summary>
/// <param name="PartiesPresent">The registrar attests that the parties (both, for a marriage or divorce) are present in person.</param>
public sealed record AttendanceRequest(bool? PartiesPresent);

/// <summary>A party's data as stored (SM4-encrypted with the booking).</summary>
public sealed record PartyData(string Name, string IdNumber, string? Phone = null, string? Occupation = null, string? Education = null,
    string? Nationality = null, bool Filled = false, bool StatesNoSpouse = false, bool StatesNoKinship = false, DateTimeOffset? ConfirmedAt = null,
    string? Photo = null);

/// <summary>The registration a marriage booking started (fixed before the certificates are issued, so a retry resumes it).</summary>
public sealed record RegistrationMarker(string RecordId, IReadOnlyList<string> CertificateNumbers, DateOnly RegisteredOn);

/// <summary>A booking as stored: ids, slot and state in clear; the parties' data encrypted (<see cref="PartyData"/>).</summary>
/// <param name="PartyIndexes">The parties' ID-number blind indexes (booker first): who may act on the booking and the live-booking guards.</param>
public sealed record BookingRecord(string Id, string OfficeId, ServiceKind Kind, DateOnly Date, TimeOnly Time, BookingStatus Status, int Reschedules,
    DateTimeOffset CreatedAt, IReadOnlyList<string> PartyIndexes, string? DivorceId = null, string? RecordId = null,
    RegistrationMarker? Registration = null, DateTimeOffset? ServedAt = null, string? ServedBy = null)
{
    public DateTimeOffset SlotStart => Appointments.SlotStart(Date, Time);
}

public sealed record PartyView(int Party, string Name, string IdNumber, string? Phone, string? Occupation, string? Education, string? Nationality,
    bool Filled, bool StatesNoSpouse, bool StatesNoKinship, DateTimeOffset? ConfirmedAt, bool HasPhoto, bool You);

/// <summary>A booking as a party (their own data unmasked, the other's masked) or the office's registrar (unmasked, audited) sees it.</summary>
public sealed record BookingView(string Id, string OfficeId, string OfficeName, ServiceKind Kind, string KindName, DateOnly Date, string Time, BookingStatus Status,
    int Reschedules, DateTimeOffset CreatedAt, IReadOnlyList<PartyView> Parties, bool Ready, string? DivorceId, string? RecordId);
