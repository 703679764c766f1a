using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Funeral.Memorials;

/// <summary>How a memorial rule refused: bad input, or a state that does not allow the step.</summary>
public enum MemorialRejectionKind
{
    Invalid,
    State,
}

/// <summary>Why a memorial rule refused: stable upper-snake-case <see cref="Code"/>, Chinese <see cref="Reason"/>, the field at fault.</summary>
public sealed record MemorialRejection(string Code, string Reason, MemorialRejectionKind Kind = MemorialRejectionKind.Invalid, string? Field = null);

/// <summary>Who may read a memorial page.</summary>
public enum MemorialPrivacy
{
    /// <summary>Anyone may read it, and it is listed.</summary>
    Public,
    /// <summary>Anyone who has the link (its unguessable id) may read it; not listed.</summary>
    LinkOnly,
    /// <summary>Only the family members listed on the memorial.</summary>
    FamilyOnly,
}

/// <summary>What the consenting relative agreed to publish.</summary>
public enum ConsentScope
{
    /// <summary>The name and dates of the deceased.</summary>
    NameAndDates,
    /// <summary>The biography.</summary>
    Biography,
    /// <summary>A photo.</summary>
    Photo,
    /// <summary>Visitors' messages and offerings.</summary>
    Messages,
}

/// <summary>The recorded consent: who consented (their person, the name they gave and their relation), when, and to what.</summary>
public sealed record MemorialConsent(string PersonId, string ConsentedBy, string Relation, DateTimeOffset ConsentedAt, IReadOnlyList<ConsentScope> Scope, MemorialPrivacy Privacy);

/// <summary>A relative listed on the memorial: a moderator may approve messages and order sweepings.</summary>
public sealed record FamilyMember(string PersonId, string Name, string Relation, bool Moderator, DateTimeOffset AddedAt);

/// <summary>A memorial page of a deceased person, kept by their family.</summary>
public sealed record Memorial
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public DateOnly? BornOn { get; init; }
    public required DateOnly DiedOn { get; init; }
    public string? Biography { get; init; }
    /// <summary>The photo's blob name, when one was given.</summary>
    public string? Photo { get; init; }
    public string? PhotoContentType { get; init; }
    public required MemorialPrivacy Privacy { get; init; }
    public required MemorialConsent Consent { get; init; }
    /// <summary>The creator: owner and first moderator (also in <see cref="Family"/>).</summary>
    public required string OwnerPersonId { get; init; }
    public required IReadOnlyList<FamilyMember> Family { get; init; }
    /// <summary>The family chose to publish ordinary messages without moderation (borderline ones still wait).</summary>
    public bool AutoPublish { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The request to create a memorial, as the rules see it.</summary>
public sealed record MemorialDraft(string? Name, DateOnly? BornOn, DateOnly? DiedOn, string? Biography, MemorialPrivacy? Privacy, bool AutoPublish,
    string? ConsentedBy, string? Relation, bool ConsentGiven, IReadOnlyList<ConsentScope>? Scope);

/// <summary>Plain rules of memorial pages: what a valid page is, who may read, who moderates.</summary>
public static class MemorialRules
{
    public const int MaxNameLength = 40;
    public const int MaxBiographyLength = 4000;
    public const int MaxFamily = 30;

    /// <summary>Relations accepted for the consenting relative and for family members (近亲属).</summary>
    public static readonly IReadOnlySet<string> Relations = new HashSet<string>(StringComparer.Ordinal)
        { "配偶", "子女", "父母", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女", "其他亲属" };

    /// <summary>Checks a draft: name, dates (not in the future, birth before death), biography, privacy, and the consent with its scope.</summary>
    public static IReadOnlyList<MemorialRejection> Check(MemorialDraft d, DateOnly today)
    {
        var errors = new List<MemorialRejection>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Trim().Length > MaxNameLength || TextRules.Check(d.Name) is not null || d.Name.Any(c => c is '\n' or '\r' or '\t'))
            errors.Add(new("MEMORIAL_NAME_INVALID", $"请填写逝者姓名（不超过 {MaxNameLength} 个字）。", Field: "name"));
        if (d.DiedOn is not { } died || died > today)
            errors.Add(new("MEMORIAL_DATES_INVALID", "请填写逝世日期（不晚于今天）。", Field: "diedOn"));
        else if (d.BornOn is { } born && born > died)
            errors.Add(new("MEMORIAL_DATES_INVALID", "出生日期不能晚于逝世日期。", Field: "bornOn"));
        if (d.Biography is { } bio && (bio.Length > MaxBiographyLength || TextRules.Check(bio) is not null))
            errors.Add(new("MEMORIAL_BIOGRAPHY_INVALID", $"生平简介不超过 {MaxBiographyLength} 个字，且不能含有控制字符。", Field: "biography"));
        if (d.Privacy is null)
            errors.Add(new("MEMORIAL_PRIVACY_REQUIRED", "请选择公开范围：public（公开）、linkOnly（凭链接访问）或 familyOnly（仅家属）。", Field: "privacy"));
        if (!d.ConsentGiven || string.IsNullOrWhiteSpace(d.ConsentedBy) || d.ConsentedBy.Trim().Length > MaxNameLength || d.Relation is null || !Relations.Contains(d.Relation)
            || d.Scope is not { Count: > 0 } scope || !scope.Contains(ConsentScope.NameAndDates))
            errors.Add(new("MEMORIAL_CONSENT_REQUIRED", "建立纪念页须经逝者近亲属同意：请填写同意人姓名、与逝者关系，勾选同意，并说明同意公开的内容（至少包括姓名和生卒日期）。", Field: "consent"));
        else if (d.Biography is { Length: > 0 } && !scope.Contains(ConsentScope.Biography))
            errors.Add(new("MEMORIAL_CONSENT_SCOPE", "近亲属未同意公开生平简介，请删除简介或补充同意范围。", Field: "consent.scope"));
        return errors;
    }

    public static bool IsFamily(Memorial m, string? personId) => personId is not null && m.Family.Any(f => f.PersonId == personId);

    public static bool IsModerator(Memorial m, string? personId) =>
        personId is not null && (m.OwnerPersonId == personId || m.Family.Any(f => f.PersonId == personId && f.Moderator));

    /// <summary>Whether a reader (a person, or nobody signed in) may read the page: family-only pages only the listed family.</summary>
    public static bool MayRead(Memorial m, string? personId) => m.Privacy != MemorialPrivacy.FamilyOnly || IsFamily(m, personId);

    /// <summary>Public and link-only pages are the same for everyone and may be cached by anyone.</summary>
    public static bool IsPubliclyCacheable(Memorial m) => m.Privacy != MemorialPrivacy.FamilyOnly;

    public static bool IsListed(Memorial m) => m.Privacy == MemorialPrivacy.Public;

    /// <summary>Visitors may leave messages only when the family consented to it.</summary>
    public static bool AcceptsMessages(Memorial m) => m.Consent.Scope.Contains(ConsentScope.Messages);

    /// <summary>The biography is shown only with consent to it.</summary>
    public static bool AcceptsBiography(Memorial m) => m.Consent.Scope.Contains(ConsentScope.Biography);

    /// <summary>A photo may be shown only with consent to it.</summary>
    public static bool AcceptsPhoto(Memorial m) => m.Consent.Scope.Contains(ConsentScope.Photo);

    /// <summary>Adds or updates a family member; only moderators may, and the owner cannot be demoted.</summary>
    public static MemorialRejection? CheckFamilyChange(Memorial m, string personId, string? relation)
    {
        if (relation is null || !Relations.Contains(relation)) return new("MEMORIAL_RELATION_INVALID", "请选择与逝者的关系（配偶、子女、父母、兄弟姐妹等）。", Field: "relation");
        if (personId == m.OwnerPersonId) return new("MEMORIAL_OWNER_UNCHANGED", "纪念页建立人已是家属和管理人。", MemorialRejectionKind.State, "idNumber");
        if (m.Family.Count >= MaxFamily && m.Family.All(f => f.PersonId != personId)) return new("MEMORIAL_FAMILY_FULL", $"家属名单最多 {MaxFamily} 人。", MemorialRejectionKind.State);
        return null;
    }
}

/// <summary>The fixed catalogue of virtual offerings (网上祭奠).</summary>
public enum OfferingKind
{
    Flowers,
    Candle,
    Incense,
    Wreath,
    Fruit,
    Bow,
}

public static class Offerings
{
    public static string ChineseName(this OfferingKind kind) => kind switch
    {
        OfferingKind.Flowers => "献花",
        OfferingKind.Candle => "点烛",
        OfferingKind.Incense => "敬香",
        OfferingKind.Wreath => "献花圈",
        OfferingKind.Fruit => "供果",
        OfferingKind.Bow => "鞠躬",
        _ => kind.ToString(),
    };

    public static IReadOnlyList<OfferingKind> Catalogue { get; } = Enum.GetValues<OfferingKind>();
}
