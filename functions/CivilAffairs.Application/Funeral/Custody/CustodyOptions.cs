using CivilAffairs.Domain.Funeral.Custody;

namespace CivilAffairs.Application.Funeral.Custody;

/// <summary>A funeral home or cemetery that keeps custody records: its name and the prefix of its body tags.</summary>
public sealed class CustodySite
{
    public string Name { get; set; } = "";
    /// <summary>Upper-case letters, e.g. <c>GZBY</c> (广州殡仪) for tags <c>GZBY-2026-000123</c>.</summary>
    public string TagPrefix { get; set; } = "";
    /// <summary>A cemetery with a columbarium (where ashes may be placed).</summary>
    public bool Columbarium { get; set; }
}

/// <summary>
/// Custody of remains and ashes (section <c>Funeral:Custody</c>). The time rules default to Guangdong's: cremation within 72 h of
/// death (24 h for an infectious disease), preservation at most 90 days; an alert is raised <see cref="AlertBefore"/> ahead of a deadline.
/// </summary>
public sealed class CustodyOptions
{
    public const string SectionName = "Funeral:Custody";

    public TimeSpan CremationWithin { get; set; } = TimeSpan.FromHours(72);
    public TimeSpan InfectiousCremationWithin { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan PreservationAtMost { get; set; } = TimeSpan.FromDays(90);
    public TimeSpan AlertBefore { get; set; } = TimeSpan.FromHours(12);
    public int QrPixelsPerModule { get; set; } = 6;

    /// <summary>The sites by id (the funeral staff's channel); demo defaults when none are configured.</summary>
    public Dictionary<string, CustodySite> Sites { get; set; } = [];

    public CustodyTimeRules Rules => new(CremationWithin, InfectiousCremationWithin, PreservationAtMost, AlertBefore);

    public static Dictionary<string, CustodySite> DemoSites() => new(StringComparer.Ordinal)
    {
        ["gz-funeral-home"] = new() { Name = "广州市殡仪馆", TagPrefix = "GZBY" },
        ["gz-yinhe"] = new() { Name = "银河园", TagPrefix = "GZYH", Columbarium = true },
    };
}
