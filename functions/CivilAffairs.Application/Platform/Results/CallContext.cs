using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Results;

/// <summary>
/// Who is calling and for which request: what every application service that acts for a person receives first.
/// <see cref="Principal"/> is null only on deliberately public endpoints; <see cref="RequestId"/> ties audit entries and
/// logs to the invocation.
/// </summary>
public sealed record CallContext(Caller? Principal, string RequestId, CancellationToken Cancellation)
{
    /// <summary>The authenticated caller (every endpoint that requires a permission has one).</summary>
    public Caller Caller => Principal ?? throw new InvalidOperationException("This call has no authenticated caller (public endpoint).");

    /// <summary>Work done by the platform itself (timers, queues, workflows): no person, audited as the system.</summary>
    public static CallContext System(string requestId, CancellationToken ct) => new(null, requestId, ct);

    public void Deconstruct(out Caller caller, out string requestId, out CancellationToken ct) =>
        (caller, requestId, ct) = (Caller, RequestId, Cancellation);
}
