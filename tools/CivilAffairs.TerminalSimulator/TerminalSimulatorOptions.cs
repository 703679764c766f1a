using Microsoft.Extensions.Logging;

namespace CivilAffairs.TerminalSimulator;

/// <summary>A terminal the simulator speaks for: the credentials staff received when they registered it, and how often it reports.</summary>
/// <param name="DeviceId">The registry's device id.</param>
/// <param name="Secret">The one-time secret shown at registration.</param>
/// <param name="HeartbeatInterval">How often it sends a heartbeat.</param>
/// <param name="Latitude">Where the terminal is (sent with urgent events), if it knows.</param>
public sealed record SimulatedTerminal(string DeviceId, string Secret, TimeSpan HeartbeatInterval, double? Latitude = null, double? Longitude = null);

/// <summary>Settings of <see cref="TerminalSimulatorHost"/>.</summary>
public sealed class TerminalSimulatorOptions
{
    /// <summary>The platform's base address (e.g. <c>http://localhost:7071/</c>).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The route prefix of the platform's functions (<c>host.json</c> <c>extensions.http.routePrefix</c>).</summary>
    public string RoutePrefix { get; init; } = "api";

    public required IReadOnlyList<SimulatedTerminal> Terminals { get; init; }

    /// <summary>Urgent events (presses, and now and then a fall) per hour across all terminals, as a Poisson process; 0 for none.</summary>
    public double UrgentEventsPerHour { get; init; }

    /// <summary>Whether heartbeats are sent (each terminal at its interval, first one at a random point of the first interval).</summary>
    public bool Heartbeats { get; init; } = true;

    /// <summary>Seed of the random choices (which terminal, when, which kind).</summary>
    public int Seed { get; init; } = 20261203;

    /// <summary>At most this many requests in flight (sign-ins and events).</summary>
    public int MaxConcurrentRequests { get; init; } = 32;

    /// <summary>Optional handler (tests); otherwise a pooled <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? Handler { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>Counters of a running simulator.</summary>
public sealed record TerminalSimulatorStats(long SignIns, long Heartbeats, long UrgentEvents, long AlarmsRaised, long Failures, string? LastFailure);

/// <summary>What the platform answered to one event.</summary>
/// <param name="Status">HTTP status (202 raised an alarm, 200 for maintenance signals and replays).</param>
/// <param name="AlarmId">The alarm raised, when the event was urgent and accepted.</param>
/// <param name="ProblemCode">The problem-details <c>code</c> of a refusal.</param>
public sealed record TerminalEventOutcome(string DeviceId, string EventId, string Kind, int Status, string? AlarmId, string? ProblemCode, TimeSpan Elapsed);
