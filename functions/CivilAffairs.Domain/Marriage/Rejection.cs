namespace CivilAffairs.Domain.Marriage;

/// <summary>How a marriage rule refused: bad input, a state that does not allow the step, a legal refusal, or another person's part.</summary>
public enum RejectionKind
{
    /// <summary>The input is wrong (a date, a slot that is not offered).</summary>
    Invalid,
    /// <summary>The object's state or the time does not allow the step (a full slot, a cooling-off that has ended).</summary>
    State,
    /// <summary>The law refuses (registration blocked by a failed legal check).</summary>
    Refused,
    /// <summary>The step belongs to someone else (a party confirming for the other).</summary>
    NotYours,
}

/// <summary>
/// Why a marriage-registration rule refused an operation: a stable upper-snake-case <see cref="Code"/> for programs, a Simplified
/// Chinese <see cref="Reason"/> for people, what <see cref="Kind"/> of refusal it is and the input <see cref="Field"/> at fault.
/// Each area owns its rejection (see the elderly and disaster areas); the application maps the kind to a status.
/// </summary>
public sealed record Rejection(string Code, string Reason, RejectionKind Kind = RejectionKind.Invalid, string? Field = null)
{
    public override string ToString() => $"{Code}: {Reason}";
}
