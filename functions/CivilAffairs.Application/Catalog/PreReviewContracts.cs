using System.Text.Json;
using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Catalog;

/// <summary>A material the citizen holds, as sent by the client.</summary>
public sealed record HeldMaterialRequest
{
    public string Code { get; init; } = "";
    /// <summary>True (default) when the original is held, false for a copy.</summary>
    public bool? Original { get; init; }
    public DateOnly? IssuedOn { get; init; }
    public DateOnly? ValidUntil { get; init; }
    public int? Count { get; init; }
}

/// <summary>Body of <c>POST /api/catalog/services/{code}/prereviews</c>.</summary>
public sealed record PreReviewRequest
{
    public IReadOnlyList<HeldMaterialRequest>? Materials { get; init; }
    /// <summary>Simple facts the rules need, e.g. {"applicantAge": 65, "householdInGuangzhou": true}.</summary>
    public Dictionary<string, JsonElement>? Facts { get; init; }

    /// <summary>Converts to the domain submission; JSON values of an unusable kind become field errors.</summary>
    public (PreReviewSubmission Submission, IReadOnlyList<FieldError> Errors) ToSubmission()
    {
        var errors = new List<FieldError>();
        var facts = new Dictionary<string, FactValue>(StringComparer.Ordinal);
        foreach (var (name, value) in Facts ?? [])
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.Number when value.TryGetDecimal(out var d): facts[name] = new FactValue(Number: d); break;
                case JsonValueKind.True: facts[name] = new FactValue(Boolean: true); break;
                case JsonValueKind.False: facts[name] = new FactValue(Boolean: false); break;
                case JsonValueKind.String: facts[name] = new FactValue(Text: value.GetString()); break;
                default: errors.Add(new FieldError($"facts.{name}", "申报值须为数字、true/false 或文字。")); break;
            }
        }
        var materials = (Materials ?? []).Select(m => new HeldMaterial
        {
            Code = m.Code ?? "",
            Original = m.Original ?? true,
            IssuedOn = m.IssuedOn,
            ValidUntil = m.ValidUntil,
            Count = m.Count ?? 1,
        }).ToList();
        return (new PreReviewSubmission { Materials = materials, Facts = facts }, errors);
    }
}

public enum PreReviewStatus
{
    /// <summary>Queued for processing (asynchronous submission).</summary>
    Pending,
    /// <summary>Checked; the findings are final.</summary>
    Completed,
    /// <summary>The validity period passed: a new pre-review is needed before applying.</summary>
    Expired,
}

/// <summary>A stored pre-review as returned to the citizen.</summary>
public sealed record PreReviewView
{
    public required string Id { get; init; }
    public required string ServiceCode { get; init; }
    public required string ServiceName { get; init; }
    public required ServiceArea Area { get; init; }
    public required PreReviewStatus Status { get; init; }
    public PreReviewOutcome? Outcome { get; init; }
    public IReadOnlyList<PreReviewFinding> Findings { get; init; } = [];
    public int MaterialsChecked { get; init; }
    public int RulesChecked { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Where to read this pre-review (relative to the API root).</summary>
    public string StatusUrl => $"/api/catalog/prereviews/{Id}";
}

/// <summary>The message an asynchronous pre-review puts on <c>catalog-prereviews</c>: ids only, no personal data.</summary>
public sealed record PreReviewMessage(string PreReviewId, string ServiceCode);

/// <summary>Input of the pre-review expiry orchestration.</summary>
public sealed record PreReviewExpiryInput(string PreReviewId, DateTimeOffset ExpiresAt);

[System.Text.Json.Serialization.JsonConverter(typeof(CivilAffairs.Application.Platform.Json.CamelCaseEnumConverter<PreReviewExpiryStep>))]
public enum PreReviewExpiryStep { Waiting, Expired, Skipped }

/// <summary>Custom status of the expiry orchestration.</summary>
public sealed record PreReviewExpiryProgress(PreReviewExpiryStep Step, DateTimeOffset ExpiresAt);

public static class PreReviewOrchestrations
{
    public const string Expiry = "PreReviewExpiry";
    public const string ExpireActivity = "ExpirePreReview";
    public static string InstanceId(string preReviewId) => $"prereview-expiry-{preReviewId}";
}

public sealed class CatalogOptions
{
    /// <summary>How long a completed pre-review stays valid (default 30 days).</summary>
    public TimeSpan PreReviewValidity { get; set; } = TimeSpan.FromDays(30);
}
