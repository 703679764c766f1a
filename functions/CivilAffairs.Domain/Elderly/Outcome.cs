namespace CivilAffairs.Domain.Elderly;

/// <summary>
/// Why an elderly-care rule refused an operation: a stable upper-snake-case English <see cref="Code"/>
/// for programs (maps to the problem-details <c>code</c>, e.g. <c>CONTACT_WITHOUT_CONSENT</c>), a
/// Simplified Chinese <see cref="Reason"/> for people, and the input <see cref="Field"/> at fault when
/// there is one. Same shape as the disaster area's rejection; each area owns its own.
/// </summary>
public sealed record Rejection(string Code, string Reason, string? Field = null)
{
    public override string ToString() => Field is null ? $"{Code}: {Reason}" : $"{Code} ({Field}): {Reason}";
}

/// <summary>Thrown by <see cref="Outcome{T}.Value"/> when the outcome was a rejection.</summary>
public sealed class ElderlyRuleException(IReadOnlyList<Rejection> rejections)
    : InvalidOperationException(string.Join("; ", rejections))
{
    public IReadOnlyList<Rejection> Rejections { get; } = rejections;
}

/// <summary>
/// The result of an elderly-care rule: either an accepted value or one or more
/// <see cref="Rejection"/>s. Rules never throw for business reasons; they throw
/// <see cref="ArgumentException"/>s only for programming errors (null arguments, nonsense options).
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
    /// <exception cref="ElderlyRuleException">The outcome is a rejection.</exception>
    public T Value => Accepted ? _value! : throw new ElderlyRuleException(Rejections);

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

/// <summary>Money in yuan: every amount the elderly-care rules produce has exactly two decimals.</summary>
public static class Yuan
{
    /// <summary>Rounds to fen (0.01 yuan), halves away from zero (四舍五入).</summary>
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);
}
