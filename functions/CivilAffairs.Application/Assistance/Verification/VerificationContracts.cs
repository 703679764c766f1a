using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Application.Assistance.Verification;

/// <summary>Input of the verification orchestration: ids only, never personal data (orchestration history is stored).</summary>
public sealed record VerificationInput(string ApplicationId, int Round, IReadOnlyList<string> MemberRefs, IReadOnlyList<UnitDeadline> Units);

/// <summary>A unit asked in a round and how long it has to answer.</summary>
public sealed record UnitDeadline(string Code, int DeadlineSeconds);

/// <summary>Asks the given units about every member of the application (one activity for the whole round).</summary>
public sealed record SendRequestsInput(string ApplicationId, string CorrelationId, IReadOnlyList<string> UnitCodes);

/// <summary>Units whose requests could not all be queued (sent again later by the orchestration); empty when all were.</summary>
public sealed record SendRequestsOutcome(IReadOnlyList<string> UnitsNotSent);

/// <summary>
/// What the reply handler raises into the orchestration once a unit has answered about every member: one event per unit,
/// not per member reply (no figures: those stay in the store).
/// </summary>
public sealed record UnitAnsweredNotice(string UnitCode, int Replies);

public sealed record CompleteInput(string ApplicationId, string CorrelationId, int Round, IReadOnlyList<string> UnitsAsked, IReadOnlyList<string> UnitsNotAnswered);

/// <summary>What verification concluded (the report and decision themselves are stored with the application).</summary>
public sealed record VerificationOutcome(DecisionOutcome Outcome, bool Provisional, int UnitsNotAnswered);

/// <summary>The stage of a verification round.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<VerificationStage>))]
public enum VerificationStage { Requesting, Waiting, Reporting, Completed }

/// <summary>Custom status of the verification orchestration.</summary>
/// <param name="UnitsAsked">Units asked.</param>
/// <param name="UnitsAnswered">Units that answered about every member.</param>
/// <param name="UnitsOverdue">Units that had not answered about every member when the deadline passed.</param>
public sealed record VerificationProgress(VerificationStage Step, int UnitsAsked, int UnitsAnswered, int UnitsOverdue, int RepliesExpected, int RepliesReceived, DateTimeOffset? Deadline);

public static class VerificationNames
{
    public const string SendActivity = "SendVerificationRequests";
    public const string CompleteActivity = "CompleteVerification";

    /// <summary>The correlation id of a verification round's partner requests (the case orchestration receives the replies).</summary>
    public static string CorrelationId(string applicationId, int round) => $"verify-{applicationId}-r{round}";

    /// <summary>The event raised when <paramref name="unit"/> has answered about every member in <paramref name="round"/>.</summary>
    public static string UnitAnsweredEvent(int round, string unit) => $"answered.r{round}.{unit}";

    /// <summary>Parses a correlation id back into application id and round; false for anything else.</summary>
    public static bool TryParseInstance(string? correlationId, out string applicationId, out int round)
    {
        applicationId = "";
        round = 0;
        if (correlationId is null || !correlationId.StartsWith("verify-", StringComparison.Ordinal)) return false;
        var rest = correlationId["verify-".Length..];
        var cut = rest.LastIndexOf("-r", StringComparison.Ordinal);
        if (cut <= 0 || !int.TryParse(rest[(cut + 2)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out round)) return false;
        applicationId = rest[..cut];
        return Platform.Ids.TryParse(applicationId, out _);
    }
}

/// <summary>Verification settings (section <c>Assistance:Verification</c>).</summary>
public sealed class VerificationOptions
{
    /// <summary>
    /// Seconds every partner unit has to answer, overriding each unit's own deadline from the catalogue (1–5 days);
    /// for demos and tests. Null (the default) uses the catalogue.
    /// </summary>
    public int? DeadlineSeconds { get; set; }

    /// <summary>Seconds for one unit (by code), over <see cref="DeadlineSeconds"/> and the catalogue; for tests and drills.</summary>
    public Dictionary<string, int> UnitDeadlineSeconds { get; set; } = new(StringComparer.Ordinal);
}
