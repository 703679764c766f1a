using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CivilAffairs.Domain.Funeral.Deaths;

/// <summary>Who issued the certificate a death is registered from.</summary>
public enum CertificateKind
{
    /// <summary>居民死亡医学证明（推断）书, issued by a hospital or community health centre.</summary>
    Medical,
    /// <summary>公安机关出具的死亡证明 (non-natural deaths, deaths outside care).</summary>
    Police,
}

/// <summary>How a death reached the bureau.</summary>
public enum DeathSource
{
    /// <summary>Entered by staff from the certificate the family brought (uploaded scan).</summary>
    Staff,
    /// <summary>Sent by the hospital system (health commission) on its queue.</summary>
    Hospital,
    /// <summary>Sent by the police system on its queue.</summary>
    Police,
}

/// <summary>What a second certificate for the same person is.</summary>
public enum DuplicateKind
{
    /// <summary>No death is registered for the person.</summary>
    None,
    /// <summary>The same certificate again (same kind and number): recognised, nothing is registered twice.</summary>
    SameCertificate,
    /// <summary>Another certificate for a person already registered dead: refused for review.</summary>
    AlreadyDeceased,
}

/// <summary>Rules of death registration that need no storage.</summary>
public static partial class DeathRules
{
    /// <summary>Certificate numbers: 6 to 32 letters, digits or hyphens (printed numbers of both certificate kinds).</summary>
    public static bool IsValidCertificateNumber(string? number) => number is { Length: >= 6 and <= 32 } && CertificateNumberPattern().IsMatch(number);

    /// <summary>Normalised certificate number (upper case, trimmed), the form compared for duplicates.</summary>
    public static string NormalizeCertificateNumber(string number) => number.Trim().ToUpperInvariant();

    /// <summary>A date of death is acceptable when it is not in the future, not before 1900 and not before the person's birth.</summary>
    public static bool IsValidDateOfDeath(DateOnly date, DateOnly today, DateOnly? birthDate) =>
        date <= today && date >= new DateOnly(1900, 1, 1) && (birthDate is null || date >= birthDate.Value);

    /// <summary>Classifies a certificate against the death already registered for the person (if any).</summary>
    public static DuplicateKind Classify(string? registeredCertificateHash, string certificateHash) =>
        registeredCertificateHash is null ? DuplicateKind.None
        : string.Equals(registeredCertificateHash, certificateHash, StringComparison.Ordinal) ? DuplicateKind.SameCertificate
        : DuplicateKind.AlreadyDeceased;

    /// <summary>
    /// The family's one reference number for everything that follows a death (Tell Us Once): <c>SW</c>, the registration
    /// date (China) and eight random digits, e.g. <c>SW20261204-48213907</c> — easy to read out on the phone, not guessable.
    /// </summary>
    public static string NewReference(DateOnly registeredOn) =>
        $"SW{registeredOn:yyyyMMdd}-{RandomNumberGenerator.GetInt32(0, 100_000_000):D8}";

    public static bool IsReference(string? value) => value is not null && ReferencePattern().IsMatch(value);

    /// <summary>Chinese name of a certificate kind.</summary>
    public static string Describe(CertificateKind kind) => kind switch
    {
        CertificateKind.Medical => "居民死亡医学证明（推断）书",
        _ => "公安机关死亡证明",
    };

    [GeneratedRegex("^[A-Za-z0-9-]+$")]
    private static partial Regex CertificateNumberPattern();

    [GeneratedRegex(@"^SW\d{8}-\d{8}$")]
    private static partial Regex ReferencePattern();
}
