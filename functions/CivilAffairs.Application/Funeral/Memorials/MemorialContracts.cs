using CivilAffairs.Domain.Funeral.Memorials;

namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>The consent of the deceased's close relative, given with the memorial.</summary>
public sealed record ConsentRequest(string? ConsentedBy, string? Relation, bool Agreed, IReadOnlyList<ConsentScope>? Scope);

/// <summary>Create a memorial page (body of <c>POST /api/memorials</c>).</summary>
public sealed record CreateMemorialRequest(string? Name, DateOnly? BornOn, DateOnly? DiedOn, string? Biography, MemorialPrivacy? Privacy, bool AutoPublish, ConsentRequest? Consent);

/// <summary>Add a relative to the family list (by name and ID number, checked against the person index); moderators may approve messages.</summary>
public sealed record FamilyMemberRequest(string? Name, string? IdNumber, string? Relation, bool Moderator);

public sealed record MessageRequest(string? Text);

/// <summary>The family's decision on a message: <c>approve</c> or <c>reject</c>.</summary>
public sealed record ModerationRequest(MessageStatus? Decision);

public sealed record OfferingRequest(OfferingKind? Kind);

public sealed record SweepingOrderRequest(string? Site, DateOnly? Date, IReadOnlyList<SweepingTask>? Services, string? Plot, string? Note);

public sealed record OfferingCount(OfferingKind Kind, string Name, long Count);

public sealed record PublishedMessage(string Id, string Author, string Text, DateTimeOffset At);

/// <summary>
/// The rendered memorial page: what every reader gets, the same for everyone (the precomputed read model, one blob per memorial).
/// Only approved messages, newest first (at most <see cref="MemorialRepository.MaxPublishedMessages"/>).
/// </summary>
public sealed record MemorialPageView(string Id, string Name, DateOnly? BornOn, DateOnly DiedOn, string? Biography, string? PhotoUrl,
    MemorialPrivacy Privacy, IReadOnlyList<OfferingCount> Offerings, long OfferingTotal, IReadOnlyList<PublishedMessage> Messages, int MessageCount,
    DateTimeOffset UpdatedAt);

public sealed record MemorialListItem(string Id, string Name, DateOnly? BornOn, DateOnly DiedOn);

public sealed record MemorialList(IReadOnlyList<MemorialListItem> Items);

public sealed record FamilyMemberView(string Name, string Relation, bool Moderator, bool Owner, bool You);

/// <summary>The family's view of their memorial: the page's data, consent, family list and settings.</summary>
public sealed record MemorialAdminView(string Id, string Name, DateOnly? BornOn, DateOnly DiedOn, string? Biography, bool HasPhoto, MemorialPrivacy Privacy,
    bool AutoPublish, MemorialConsentView Consent, IReadOnlyList<FamilyMemberView> Family, bool YouModerate, string PageUrl, DateTimeOffset CreatedAt);

public sealed record MemorialConsentView(string ConsentedBy, string Relation, DateTimeOffset ConsentedAt, IReadOnlyList<ConsentScope> Scope, MemorialPrivacy Privacy);

/// <summary>A message as its writer and the moderators see it.</summary>
public sealed record MessageView(string Id, string MemorialId, string Author, string Text, MessageStatus Status, string StatusName, bool Flagged,
    DateTimeOffset CreatedAt, DateTimeOffset? DecidedAt);

public sealed record MessageList(IReadOnlyList<MessageView> Items);

public sealed record OfferingReceipt(string MemorialId, OfferingKind Kind, string Name);

public sealed record SweepingOrderView(string Id, string MemorialId, string MemorialName, string Site, string SiteName, DateOnly Date,
    IReadOnlyList<SweepingTask> Services, IReadOnlyList<string> ServiceNames, string Plot, string? Note, SweepingStatus Status, string StatusName,
    DateTimeOffset OrderedAt, DateTimeOffset? CompletedAt, IReadOnlyList<string> PhotoUrls);

public sealed record SweepingOrderList(IReadOnlyList<SweepingOrderView> Items);
