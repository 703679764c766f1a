using System.Text.Json.Serialization;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Divorces;

/// <summary>The divorce agreement (离婚协议): children, property and debts. Stored SM4-encrypted with the application.</summary>
public sealed record DivorceAgreement(string? Children, string? Property, string? Debts);

/// <summary>Body of <c>POST /api/marriage/divorces</c>: the first party applies for their current marriage, with the agreement, at an office.</summary>
public sealed record DivorceApplicationRequest(string? RecordId, string? OfficeId, DivorceAgreement? Agreement);

/// <summary>Body of <c>POST /api/marriage/divorces/{id}/apply</c>: the other party applies too, agreeing to the same agreement.</summary>
public sealed record DivorceJoinRequest(bool? AgreesToAgreement);

/// <summary>The divorce registration started by the registrar (numbers fixed before the certificates are issued, so a retry resumes it).</summary>
public sealed record DivorceRegistration(string BookingId, IReadOnlyList<string> CertificateNumbers, DateOnly RegisteredOn, string Registrar);

/// <summary>A divorce application as stored (ids, state and periods in clear; the agreement encrypted).</summary>
/// <param name="Applied">Per party, in the record's order: has applied with their own account.</param>
public sealed record DivorceRecord(string Id, string RecordId, string OfficeId, DivorceStatus Status, IReadOnlyList<string> PartyIndexes, IReadOnlyList<bool> Applied,
    DateTimeOffset CreatedAt, DivorcePeriods? Periods = null, DateTimeOffset? ClosedAt = null, string? ClosedBy = null, DivorceRegistration? Registration = null);

public sealed record StoredDivorce(DivorceRecord Record, DivorceAgreement Agreement, Azure.ETag ETag);

public sealed record DivorceView(string Id, string RecordId, string OfficeId, DivorceStatus Status, string StatusName, IReadOnlyList<bool> Applied,
    DateTimeOffset CreatedAt, DateTimeOffset? ReceivedAt, DateTimeOffset? CoolingOffEndsAt, DateTimeOffset? AppearanceEndsAt, DateTimeOffset? ClosedAt,
    DivorceAgreement Agreement, bool CanWithdraw, IReadOnlyList<string> DivorceCertificates);

// ---- workflow port types ----

/// <summary>Input of the divorce orchestration: the application and its deadlines.</summary>
public sealed record DivorceInput(string DivorceId, DateTimeOffset CoolingOffEndsAt, DateTimeOffset AppearanceEndsAt);

public sealed record DivorceNotice(string Actor);

[JsonConverter(typeof(CamelCaseEnumConverter<DivorceStage>))]
public enum DivorceStage { CoolingOff, AwaitingAppearance, Registered, Withdrawn, Lapsed }

public static class DivorceFlow
{
    public const string Orchestrator = "MarriageDivorce";
    public const string CoolingOffEndedActivity = "MarriageDivorceCoolingOffEnded";
    public const string LapseActivity = "MarriageDivorceLapse";
    public const string WithdrawnEvent = "withdrawn";
    public const string RegisteredEvent = "registered";

    public static string InstanceId(string divorceId) => "divorce-" + divorceId;
}

/// <summary>The divorce applications' workflow port (start, raise). Idempotent: starting an existing instance does nothing.</summary>
public interface IDivorceWorkflow
{
    Task StartAsync(DivorceInput input, CancellationToken ct);
    Task WithdrawnAsync(string divorceId, DivorceNotice notice, CancellationToken ct);
    Task RegisteredAsync(string divorceId, DivorceNotice notice, CancellationToken ct);
}

public static class DivorceNames
{
    public static string ChineseName(this DivorceStatus s) => s switch
    {
        DivorceStatus.AwaitingPartner => "等待对方申请",
        DivorceStatus.CoolingOff => "离婚冷静期",
        DivorceStatus.AwaitingAppearance => "冷静期届满，待双方到场",
        DivorceStatus.Registered => "已登记离婚",
        DivorceStatus.Withdrawn => "已撤回",
        _ => "逾期未到场，视为撤回",
    };
}
