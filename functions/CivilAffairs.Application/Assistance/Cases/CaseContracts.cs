using System.Text.Json.Serialization;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Application.Assistance.Cases;

/// <summary>Body of <c>POST .../{id}/decision</c>.</summary>
public sealed record DecisionRequest(bool? Approve, string? Reason);

/// <summary>Body of <c>POST .../{id}/objections</c>.</summary>
public sealed record ObjectionRequest(string? Reason);

/// <summary>Body of <c>POST .../{id}/objections/{objectionId}/resolution</c>.</summary>
public sealed record ResolutionRequest(bool? Upheld, string? Note);

public sealed record ObjectionView(string Id, string ApplicationId, DateTimeOffset RaisedAt, bool Open, bool? Upheld);

/// <summary>Input of the case orchestration (ids and durations only).</summary>
public sealed record CaseInput(string ApplicationId, int Round, int? VerificationDeadlineSeconds, int PublicitySeconds, int ReverificationSeconds);

/// <summary>The external events of the case orchestration (typed payloads; the event names are the workflow's own).</summary>
public sealed record ObjectionNotice(string ObjectionId);
public sealed record ObjectionResolution(string ObjectionId, bool Upheld);
public sealed record DecisionNotice(bool Approved);

/// <summary>What verification led to, for the case orchestration.</summary>
public sealed record AfterVerificationInput(string ApplicationId, int Round, DecisionOutcome Outcome, DateTimeOffset PublicityEndsAt);

/// <summary>Where the case goes after a verification round.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CaseStep>))]
public enum CaseStep
{
    /// <summary>Eligible in the first round: the publicity (公示) runs, then the district decides.</summary>
    Publicity,
    /// <summary>Ineligible, or a re-verification no longer eligible: the district decides.</summary>
    Decision,
    /// <summary>A re-verification still eligible: the grant continues.</summary>
    Continue,
    /// <summary>The case is no longer active.</summary>
    Closed,
}

/// <summary>How one generation of the case orchestration ended (its output).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CaseEnd>))]
public enum CaseEnd { Closed, Rejected, Ended, Reverifying }

/// <summary>The stage of the case orchestration (its custom status).</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CaseStage>))]
public enum CaseStage { Verifying, Publicity, PublicityPaused, AwaitingDecision, Granted }

public sealed record PublicityInput(string ApplicationId, DateTimeOffset EndsAt);
public sealed record PauseInput(string ApplicationId, string ObjectionId);
public sealed record BeginInput(string ApplicationId, int Round, int? DeadlineSeconds);

/// <summary>Custom status of the case orchestration.</summary>
public sealed record CaseProgress(CaseStage Step, int Round, DateTimeOffset? PublicityEndsAt, int OpenObjections, int UpheldObjections);

public static class CaseNames
{
    public const string Orchestrator = "AssistanceCase";
    public const string BeginVerificationActivity = "BeginAssistanceVerification";
    public const string AfterVerificationActivity = "AfterAssistanceVerification";
    public const string PausePublicityActivity = "PauseAssistancePublicity";
    public const string ResumePublicityActivity = "ResumeAssistancePublicity";
    public const string EndPublicityActivity = "EndAssistancePublicity";

    public const string ObjectionEvent = "objection";
    public const string ResolutionEvent = "objection.resolved";
    public const string DecisionEvent = "decision";

    public static string InstanceId(string applicationId) => $"case-{applicationId}";
}

/// <summary>Case settings (section <c>Assistance:Case</c>). Production values by default; the demo shortens them.</summary>
public sealed class CaseOptions
{
    /// <summary>The publicity period (公示) in seconds: 7 days.</summary>
    public int PublicitySeconds { get; set; } = 7 * 24 * 3600;
    /// <summary>Periodic re-verification of granted households, in seconds: 1 year.</summary>
    public int ReverificationSeconds { get; set; } = 365 * 24 * 3600;
}

/// <summary>
/// The assistance case's workflow port (start, raise, query): how the application talks to the case orchestration without
/// knowing Durable Functions; implemented beside the orchestration. Idempotent: starting a running case does nothing, an
/// event the case already consumed is ignored.
/// </summary>
public interface IAssistanceCaseWorkflow
{
    Task StartAsync(CaseInput input, CancellationToken ct);
    Task ObjectionRaisedAsync(string applicationId, ObjectionNotice notice, CancellationToken ct);
    Task ObjectionResolvedAsync(string applicationId, ObjectionResolution resolution, CancellationToken ct);
    Task DecidedAsync(string applicationId, DecisionNotice decision, CancellationToken ct);
    /// <summary>A partner unit has answered about every member in verification round <paramref name="round"/>.</summary>
    Task UnitAnsweredAsync(string applicationId, int round, UnitAnsweredNotice notice, CancellationToken ct);
    /// <summary>The verification progress of the running round (the orchestration's custom status), or null.</summary>
    Task<VerificationProgress?> VerificationProgressAsync(string applicationId, CancellationToken ct);
}
