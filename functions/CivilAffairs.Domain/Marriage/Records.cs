using System.Globalization;
using System.Text.RegularExpressions;

namespace CivilAffairs.Domain.Marriage;

/// <summary>A marriage record in the register.</summary>
public enum RecordStatus
{
    /// <summary>Being registered (certificates being issued): not yet a marriage anyone sees, but it already blocks another.</summary>
    Registering,
    /// <summary>The marriage exists (婚姻存续).</summary>
    Married,
    Divorced,
    /// <summary>Ended by the death of a spouse.</summary>
    EndedByDeath,
    /// <summary>Annulled or declared void by a court.</summary>
    Annulled,
}

/// <summary>Rules of a record's life after registration: what ends it and what may be re-issued.</summary>
public static partial class RecordRules
{
    /// <summary>A record that counts as a current marriage in the "currently married" check.</summary>
    public static bool IsCurrent(RecordStatus status) => status is RecordStatus.Registering or RecordStatus.Married;

    /// <summary>A marriage can be ended (divorce, death, annulment) only while it exists.</summary>
    public static Rejection? CanEnd(RecordStatus status) => status == RecordStatus.Married ? null
        : new("MARRIAGE_NOT_CURRENT", status == RecordStatus.Registering ? "该婚姻登记尚未办结。" : "该婚姻已解除或终止。", RejectionKind.State);

    /// <summary>A replacement (补领) re-issues a certificate of a finished registration: the marriage certificate, or after a divorce the divorce certificate.</summary>
    public static Rejection? CanReplace(RecordStatus status) => status == RecordStatus.Registering
        ? new("RECORD_NOT_REGISTERED", "该婚姻登记尚未办结，不能补领。", RejectionKind.State)
        : null;

    /// <summary>
    /// A certificate number (登记证字号): <c>J</c> for a marriage certificate, <c>L</c> for a divorce certificate, the office's
    /// district code, the year and eight random digits — e.g. <c>J440106-2026-03918472</c>. Random, never sequential.
    /// </summary>
    public static string CertificateNumber(bool divorce, string district, int year, int random) =>
        string.Create(CultureInfo.InvariantCulture, $"{(divorce ? 'L' : 'J')}{district}-{year:D4}-{random % 100_000_000:D8}");

    public static bool IsCertificateNumber(string? value) => value is not null && NumberPattern().IsMatch(value);

    [GeneratedRegex(@"^[JL]\d{6}-\d{4}-\d{8}$")]
    private static partial Regex NumberPattern();
}
