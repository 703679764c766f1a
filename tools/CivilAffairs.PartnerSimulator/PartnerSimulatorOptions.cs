using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.PartnerSimulator.Registry;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.PartnerSimulator;

/// <summary>Settings of a <see cref="PartnerSimulatorHost"/>.</summary>
public sealed class PartnerSimulatorOptions
{
    /// <summary>Storage connection string of the queues (Azurite or an Azure Storage account). Required.</summary>
    public string StorageConnectionString { get; set; } = "";

    /// <summary>
    /// The partner key file shared with the function app (<c>Partners:LocalKeyFile</c>); created with keys for all
    /// 60 units if missing. Default <c>.data/partner-keys.json</c> under the current directory.
    /// </summary>
    public string KeyFilePath { get; set; } = PartnerRegistration.DefaultLocalKeyFile;

    /// <summary>Seed of the synthetic population: the same seed gives the same answers.</summary>
    public int Seed { get; set; } = SyntheticRegistry.DefaultSeed;

    /// <summary>Number of synthetic residents in the registry (people outside it still get stable answers).</summary>
    public int Residents { get; set; } = SyntheticRegistry.DefaultResidents;

    /// <summary>Shortest simulated processing time of a request.</summary>
    public TimeSpan MinLatency { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest simulated processing time of a request.</summary>
    public TimeSpan MaxLatency { get; set; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>Share of requests answered with <see cref="ReplyStatus.Error"/> (0–1, decided per request id).</summary>
    public double FailureRate { get; set; }

    /// <summary>Share of requests never answered (0–1, decided per request id).</summary>
    public double SilenceRate { get; set; }

    /// <summary>Units that never answer anything.</summary>
    public IReadOnlySet<string> SilentUnits { get; set; } = new HashSet<string>();

    /// <summary>The units to simulate; null means all 60.</summary>
    public IReadOnlyList<string>? Units { get; set; }

    /// <summary>Longest wait between polls of an idle request queue (polling backs off from 50 ms to this).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long one receive from a request queue may take before it is given up and tried again (the poller carries on;
    /// the messages such a receive took reappear when their lease ends). Receives are not cancelled by stopping.
    /// </summary>
    public TimeSpan ReceiveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests handled at the same time across all units.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Clock for reply times; the system clock when null.</summary>
    /// <summary>Units that answer life events (<c>partner-{code}-events</c>); null: the platform's default subscriptions; empty: none.</summary>
    public IReadOnlyList<string>? EventUnits { get; set; }

    /// <summary>Units that take life events but never send a receipt (to show "late" on the Tell Us Once page).</summary>
    public IReadOnlySet<string> LateEventUnits { get; set; } = new HashSet<string>();

    /// <summary>How long a unit takes to acknowledge a life event.</summary>
    public TimeSpan EventReceiptDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeProvider? Clock { get; set; }

    /// <summary>Where the simulator logs (unit codes, message and request ids, error kinds; never personal data).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>Counters of a running simulator.</summary>
/// <param name="RequestsSeen">Request messages received (redeliveries included).</param>
/// <param name="RepliesSent">Replies sent to <c>partner-replies</c> (errors included).</param>
/// <param name="Silent">Requests deliberately left unanswered.</param>
/// <param name="Errors">Replies with status Error.</param>
/// <param name="Malformed">Messages deleted because they were not valid requests for the unit.</param>
/// <param name="Redelivered">Requests seen again (answered with the same content).</param>
/// <param name="PollFailures">Receives from a request queue that failed or timed out and were tried again.</param>
public sealed record SimulatorStats(long RequestsSeen, long RepliesSent, long Silent, long Errors, long Malformed, long Redelivered, long PollFailures = 0);
