using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Application.Assistance;

/// <summary>Input of the case orchestration (ids and durations only).</summary>
public sealed record CaseInput(string ApplicationId, int Round, int? VerificationDeadlineSeconds, int PublicitySeconds, int ReverificationSeconds);

public sealed record ObjectionNotice(string ObjectionId);
public sealed record ObjectionResolution(string ObjectionId, bool Upheld);
public sealed record DecisionNotice(bool Approved);

/// <summary>What verification led to, for the case orchestration.</summary>
public sealed record AfterVerificationInput(string ApplicationId, int Round, DecisionOutcome Outcome, DateTimeOffset PublicityEndsAt);

public sealed record PublicityInput(string ApplicationId, DateTimeOffset EndsAt);
public sealed record PauseInput(string ApplicationId, string ObjectionId);
public sealed record BeginInput(string ApplicationId, int Round, int? DeadlineSeconds);

/// <summary>Custom status of the case orchestration.</summary>
public sealed record CaseProgress(string Step, int Round, DateTimeOffset? PublicityEndsAt, int OpenObjections, int UpheldObjections);

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
