using CivilAffairs.Domain.Funeral.Custody;

namespace CivilAffairs.Application.Funeral.Custody;

/// <summary>The deceased as the funeral home records them (name and ID number, stored SM4-encrypted).</summary>
public sealed record DeceasedInput(string? Name, string? IdNumber);

/// <summary>The registered family contact: the one person the ashes are released to.</summary>
public sealed record FamilyContactInput(string? Name, string? Phone, string? IdNumber);

/// <summary>Where the body is taken over: a hospital (its name) or a home (its address, stored encrypted).</summary>
public sealed record PickUpInput(PickUpPlace? Kind, string? PlaceName, string? Address);

/// <summary>Body of <c>POST /api/funeral/custody</c>: the funeral home takes a body over.</summary>
public sealed record IntakeRequest(
    DeceasedInput? Deceased, FamilyContactInput? Contact, PickUpInput? PickUp, DateTimeOffset? DiedAt, bool? Infectious,
    string? DeathId = null, string? Jurisdiction = null, DateTimeOffset? At = null);

/// <summary>Body of <c>POST /api/funeral/custody/{bodyId}/handovers</c>: the handing staff proposes the next handover.</summary>
public sealed record HandoverProposal(CustodyStep? Step, string? Location, DateTimeOffset? At, string? ToSiteId = null, bool FarewellWaived = false);

/// <summary>Body of the confirmation: for a release, the family contact may prove who they are with their ID number.</summary>
public sealed record HandoverConfirmation(string? IdNumber = null);

public enum HandoverStatus
{
    Proposed,
    Confirmed,
    /// <summary>Replaced by a newer proposal before anyone confirmed it.</summary>
    Superseded,
}

public sealed record HandoverView(string Id, CustodyStep Step, string StepName, string Location, DateTimeOffset At, string HandedBy, string? ToSiteId,
    bool FarewellWaived, HandoverStatus Status, string? ReceivedBy, DateTimeOffset? ConfirmedAt, long? Sequence);

public sealed record LedgerEntryView(long Sequence, CustodyStep Step, string StepName, string Location, DateTimeOffset At, string HandedBy, string ReceivedBy,
    string SiteId, string? HandoverId, bool FarewellWaived, DateTimeOffset ConfirmedAt, string PreviousHash, string Hash);

public sealed record DeadlineView(DeadlineKind Kind, DateTimeOffset Due, DeadlineState State);

public sealed record BodyView(
    string Id, string Tag, string QrText, string QrUrl, string SiteId, string HomeSiteId, string Jurisdiction, CustodyStep Step, string StepName,
    string DeceasedName, string DeceasedIdNumber, string ContactName, string ContactPhone, PickUpPlace PickUpKind, string? PickUpPlaceName,
    DateTimeOffset DiedAt, bool Infectious, string? DeathId, DeadlineState Urgency, IReadOnlyList<DeadlineView> Deadlines,
    HandoverView? Pending, IReadOnlyList<LedgerEntryView> Ledger);

public sealed record ChainVerificationView(string BodyId, bool Valid, int Checked, long? FirstBrokenSequence, ChainBreak? Problem, string? HeadHash);

public sealed record AtRiskBody(string Id, string Tag, string DeceasedName, CustodyStep Step, string StepName, bool Infectious, DateTimeOffset DiedAt,
    DeadlineState Urgency, IReadOnlyList<DeadlineView> Deadlines);

public sealed record AtRiskList(string SiteId, int Count, IReadOnlyList<AtRiskBody> Items);

public sealed record CustodyAlertView(string BodyId, string Tag, DeadlineKind Kind, DeadlineState State, DateTimeOffset Due, DateTimeOffset RaisedAt);

public sealed record CustodyAlertList(string SiteId, int Count, IReadOnlyList<CustodyAlertView> Items);
