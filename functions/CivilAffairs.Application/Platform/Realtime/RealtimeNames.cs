using System.Text.RegularExpressions;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Realtime;

/// <summary>Validation of hub, group and user names, and the platform's group naming.</summary>
public static partial class RealtimeNames
{
    /// <summary>The disaster command dashboard's hub.</summary>
    public const string DashboardHub = "dashboard";

    /// <summary>The 平安通 alarm desks' hub (operators and supervisors).</summary>
    public const string AlarmsHub = "alarms";

    /// <summary>The group of one alarm-centre company: <c>alarm_pat_center</c> for <c>pat-center</c>.</summary>
    public static string AlarmCompanyGroup(string company) =>
        Group("alarm_" + new string(company.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray()));

    const string JurisdictionPrefix = "jur_";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,127}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^\d{17}[\dXx]$")]
    private static partial Regex IdNumberShape();

    public static bool IsValidHub(string? hub) => hub is not null && NamePattern().IsMatch(hub);

    public static bool IsValidGroup(string? group) => group is not null && NamePattern().IsMatch(group);

    /// <summary>An opaque subject: 1–128 printable ASCII characters without '/', '?', '#', '%' or spaces, and not shaped like an ID number.</summary>
    public static bool IsValidUser(string? userId) =>
        userId is { Length: > 0 and <= 128 }
        && userId.All(c => c is > ' ' and < '\u007f' and not ('/' or '?' or '#' or '%' or '\\'))
        && !IdNumberShape().IsMatch(userId);

    /// <summary>The hub name as used in URLs (lower case, as the Azure SDK sends it).</summary>
    public static string Hub(string hub)
    {
        if (!IsValidHub(hub)) throw new ArgumentException("Hub names start with a letter and contain only letters, digits and underscores (at most 128).", nameof(hub));
        return hub.ToLowerInvariant();
    }

    public static string Group(string group)
    {
        if (!IsValidGroup(group)) throw new ArgumentException("Group names start with a letter and contain only letters, digits and underscores (at most 128).", nameof(group));
        return group;
    }

    public static string User(string userId)
    {
        if (!IsValidUser(userId)) throw new ArgumentException("User ids are opaque platform subjects (1-128 printable characters), never personal identifiers.", nameof(userId));
        return userId;
    }

    /// <summary>The group of one jurisdiction: <c>jur_440106008</c>.</summary>
    public static string JurisdictionGroup(string code)
    {
        if (!Jurisdiction.IsWellFormed(code)) throw new ArgumentException("Not a division code.", nameof(code));
        return JurisdictionPrefix + code;
    }

    /// <summary>
    /// The groups that should see an event in <paramref name="code"/>: its own and every enclosing
    /// division's (community → street → district → city). Staff join only their own
    /// jurisdiction's group, so sending to these reaches exactly the staff whose jurisdiction
    /// contains the event.
    /// </summary>
    public static IReadOnlyList<string> JurisdictionAudience(string code)
    {
        if (!Jurisdiction.IsWellFormed(code)) throw new ArgumentException("Not a division code.", nameof(code));
        var codes = new List<string> { code };
        if (code.Length == 12) codes.Add(code[..9]);
        if (code.Length >= 9) codes.Add(code[..6]);
        var city = code[..4] + "00";
        if (codes[^1] != city) codes.Add(city);
        return codes.Select(c => JurisdictionPrefix + c).ToArray();
    }
}
