using System.Text;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>What every sealed partner payload carries, checked against the envelope when it is opened.</summary>
public interface IPartnerPayload
{
    string RequestId { get; }
    string CorrelationId { get; }
    string UnitCode { get; }
}

/// <summary>
/// A request to one unit about the members of one household (plaintext; only ever travels sealed inside an envelope's
/// ciphertext): one message per unit and round, not per member, so a household of n members costs the unit one
/// request and one reply. <see cref="ToString"/> masks names and ID numbers.
/// </summary>
/// <param name="RequestId">Unique per unit and round; the unit answers a redelivered request with the same reply.</param>
/// <param name="CorrelationId">Who waits for the reply (the verification orchestration instance id).</param>
/// <param name="Subjects">The members asked about, each with its own authorisation.</param>
/// <param name="Purpose">Legal purpose of the query, e.g. 最低生活保障家庭经济状况核对.</param>
/// <param name="Categories">Category codes asked; empty means every category the unit supplies.</param>
public sealed record VerificationRequest(
    string RequestId,
    string CorrelationId,
    string UnitCode,
    IReadOnlyList<VerificationSubject> Subjects,
    string Purpose,
    IReadOnlyList<string> Categories,
    DateTimeOffset RequestedAt) : IPartnerPayload
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("RequestId = ").Append(RequestId)
            .Append(", CorrelationId = ").Append(CorrelationId)
            .Append(", UnitCode = ").Append(UnitCode)
            .Append(", Subjects = [").Append(string.Join(", ", (Subjects ?? []).Select(s => s?.ToString()))).Append(']')
            .Append(", Purpose = ").Append(Purpose)
            .Append(", Categories = [").Append(string.Join(", ", Categories ?? [])).Append(']')
            .Append(", RequestedAt = ").Append(RequestedAt.ToString("O"));
        return true;
    }
}

/// <summary>One member a request asks about. <see cref="ToString"/> masks the name and ID number.</summary>
/// <param name="MemberRef">Opaque member reference within the application (e.g. <c>m1</c>).</param>
/// <param name="IdNumber">Normalized GB 11643 number.</param>
/// <param name="ConsentRef">Reference of the member's signed authorisation (授权书).</param>
public sealed record VerificationSubject(string MemberRef, string Name, string IdNumber, string ConsentRef)
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("MemberRef = ").Append(MemberRef)
            .Append(", Name = ").Append(Masking.MaskName(Name))
            .Append(", IdNumber = ").Append(Masking.MaskIdNumber(IdNumber))
            .Append(", ConsentRef = ").Append(ConsentRef);
        return true;
    }
}

/// <summary>How a unit answered.</summary>
public enum ReplyStatus
{
    /// <summary>The unit has records about the person; figures and facts follow.</summary>
    Found,
    /// <summary>The unit has no record of the person (e.g. no account at that bank).</summary>
    NotFound,
    /// <summary>The unit could not answer; ask again or record the gap.</summary>
    Error,
}

/// <summary>
/// A unit's answer about every member of a request (plaintext; only ever travels sealed). A unit answers a request
/// whole or not at all. <see cref="ToString"/> shows the category codes but not the amounts or facts.
/// </summary>
public sealed record VerificationReply(
    string RequestId,
    string CorrelationId,
    string UnitCode,
    IReadOnlyList<SubjectReply> Subjects,
    DateTimeOffset AnsweredAt) : IPartnerPayload
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("RequestId = ").Append(RequestId)
            .Append(", CorrelationId = ").Append(CorrelationId)
            .Append(", UnitCode = ").Append(UnitCode)
            .Append(", Subjects = [").Append(string.Join(", ", (Subjects ?? []).Select(s => s?.ToString()))).Append(']')
            .Append(", AnsweredAt = ").Append(AnsweredAt.ToString("O"));
        return true;
    }
}

/// <summary>
/// The unit's answer about one member. <see cref="ToString"/> shows the category codes but not the amounts or facts.
/// </summary>
/// <param name="Figures">Category code → amount or count in the category's unit (<see cref="InformationCategory.Unit"/>).</param>
/// <param name="Facts">Category code → fact in words, e.g. <c>marriage</c> → 已婚.</param>
public sealed record SubjectReply(
    string MemberRef,
    ReplyStatus Status,
    IReadOnlyDictionary<string, decimal> Figures,
    IReadOnlyDictionary<string, string> Facts)
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("MemberRef = ").Append(MemberRef)
            .Append(", Status = ").Append(Status)
            .Append(", Figures = [").Append(string.Join(", ", (Figures ?? new Dictionary<string, decimal>()).Keys)).Append(']')
            .Append(", Facts = [").Append(string.Join(", ", (Facts ?? new Dictionary<string, string>()).Keys)).Append(']');
        return true;
    }
}
