namespace CivilAffairs.Domain.Disaster;

/// <summary>
/// Why a disaster-relief rule refused an operation: a stable English <see cref="Code"/> for
/// programs (maps to the problem-details <c>code</c>), a Simplified Chinese <see cref="Reason"/>
/// for people, and the input <see cref="Field"/> at fault when there is one.
/// </summary>
public sealed record Rejection(string Code, string Reason, string? Field = null)
{
    public override string ToString() => Field is null ? $"{Code}: {Reason}" : $"{Code} ({Field}): {Reason}";
}

/// <summary>Thrown by <see cref="Outcome{T}.Value"/> when the outcome was a rejection.</summary>
public sealed class DisasterRuleException(IReadOnlyList<Rejection> rejections)
    : InvalidOperationException(string.Join("; ", rejections))
{
    public IReadOnlyList<Rejection> Rejections { get; } = rejections;
}

/// <summary>
/// The result of a disaster-relief rule: either an accepted value or one or more
/// <see cref="Rejection"/>s. Rules never throw for business reasons; they throw
/// <see cref="ArgumentNullException"/> only for programming errors (null arguments).
/// </summary>
public sealed class Outcome<T>
{
    readonly T? _value;

    Outcome(T? value, IReadOnlyList<Rejection> rejections)
    {
        _value = value;
        Rejections = rejections;
    }

    public bool Accepted => Rejections.Count == 0;

    /// <summary>Empty when accepted.</summary>
    public IReadOnlyList<Rejection> Rejections { get; }

    /// <summary>The first rejection, or null when accepted.</summary>
    public Rejection? Rejection => Rejections.Count > 0 ? Rejections[0] : null;

    /// <summary>The accepted value.</summary>
    /// <exception cref="DisasterRuleException">The outcome is a rejection.</exception>
    public T Value => Accepted ? _value! : throw new DisasterRuleException(Rejections);

    public static Outcome<T> Accept(T value) => new(value, []);

    public static Outcome<T> Reject(string code, string reason, string? field = null) => new(default, [new Rejection(code, reason, field)]);

    public static Outcome<T> Reject(IReadOnlyList<Rejection> rejections)
    {
        ArgumentNullException.ThrowIfNull(rejections);
        if (rejections.Count == 0) throw new ArgumentException("A rejection needs at least one reason.", nameof(rejections));
        return new(default, rejections);
    }

    public static implicit operator Outcome<T>(Rejection rejection) => Reject([rejection]);
}
