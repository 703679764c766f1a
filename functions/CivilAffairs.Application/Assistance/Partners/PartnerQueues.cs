namespace CivilAffairs.Application.Assistance.Partners;

/// <summary>
/// Storage queues of partner integration. Messages are CloudEvents JSON (<see cref="PartnerEnvelope"/>),
/// base64-encoded as Azure Functions queue triggers expect (<c>QueueClientOptions.MessageEncoding = Base64</c>).
/// Queue names carry unit codes only, never personal data.
/// </summary>
public static class PartnerQueues
{
    /// <summary>The queue all units reply to.</summary>
    public const string Replies = "partner-replies";

    /// <summary>The queue unit <paramref name="unitCode"/> reads its requests from: <c>partner-&lt;code&gt;-requests</c>.</summary>
    /// <exception cref="ArgumentException">The code is not a valid unit code.</exception>
    public static string RequestQueue(string unitCode)
    {
        if (!PartnerCatalogue.IsValidCode(unitCode))
            throw new ArgumentException("Not a valid partner unit code.", nameof(unitCode));
        return $"partner-{unitCode}-requests";
    }

    /// <summary>
    /// True for a valid Azure Storage queue name: 3–63 characters of a–z, 0–9 and '-', starting and ending
    /// with a letter or digit, no consecutive hyphens.
    /// </summary>
    public static bool IsValidQueueName(string? name) =>
        name is { Length: >= 3 and <= 63 }
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
        && !name.Contains("--", StringComparison.Ordinal);
}

/// <summary>CloudEvents <c>type</c> and <c>source</c> values of partner verification traffic.</summary>
public static class PartnerEventTypes
{
    public const string SpecVersion = "1.0";
    public const string DataContentType = "application/json";

    /// <summary>
    /// A verification request from the bureau to a unit about the members of one household (v2, 2026-12-03: one request
    /// per unit and household; v1 asked about one member per message).
    /// </summary>
    public const string Request = "cn.gov.gz.civilaffairs.verification.request.v2";

    /// <summary>A unit's reply about every member of a request (v2).</summary>
    public const string Reply = "cn.gov.gz.civilaffairs.verification.reply.v2";

    /// <summary>The <c>subject</c> of requests and replies: a household (member references travel sealed in the data).</summary>
    public const string HouseholdSubject = "household";

    /// <summary>The <c>source</c> of requests.</summary>
    public const string RequestSource = "urn:civilaffairs:assistance";

    /// <summary>Prefix of the <c>source</c> of replies; the unit code follows.</summary>
    public const string ReplySourcePrefix = "urn:civilaffairs:partner:";

    /// <summary>The <c>source</c> of replies from <paramref name="unitCode"/>.</summary>
    public static string ReplySource(string unitCode) => ReplySourcePrefix + unitCode;
}
