namespace CivilAffairs.Application.Disaster.Supplies;

/// <summary>One input problem: a stable <see cref="Code"/> with its Chinese <see cref="Title"/>, and the field at fault.</summary>
public sealed record ReliefError(string Code, string Title, string Field, string Message);

/// <summary>What a supplies or dispatch step led to; the HTTP functions map it to a response or an RFC 9457 problem.</summary>
public abstract record ReliefOutcome
{
    /// <summary>Missing, or outside the caller's reach (the same answer, so callers cannot probe).</summary>
    public sealed record NotFound(string Code, string Title, string Detail) : ReliefOutcome;
    public sealed record Invalid(IReadOnlyList<ReliefError> Errors) : ReliefOutcome;
    public sealed record Conflict(string Code, string Title, string Detail) : ReliefOutcome;
    public sealed record Forbidden(string Code, string Title, string Detail) : ReliefOutcome;
    public sealed record Done(object View) : ReliefOutcome;

    public static Invalid One(string code, string title, string field, string message) => new([new ReliefError(code, title, field, message)]);
}
