namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>Settings of online memorials (section <c>Funeral:Memorials</c>).</summary>
public sealed class MemorialOptions
{
    public const string SectionName = "Funeral:Memorials";

    /// <summary>How long the public (browsers, CDN) may keep a public or link-only page: <c>Cache-Control: public, max-age</c>.</summary>
    public int PublicCacheSeconds { get; set; } = 60;

    /// <summary>
    /// How often an instance re-renders a page because offerings were counted (messages re-render at once): at Qingming a popular
    /// page gets many offerings a second, and the counts on the page may lag by this much.
    /// </summary>
    public TimeSpan OfferingRefresh { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cemeteries that take proxy grave-sweeping orders: site id (the staff accounts' channel) → name.</summary>
    public Dictionary<string, string> Cemeteries { get; set; } = [];

    public static Dictionary<string, string> DemoCemeteries() => new(StringComparer.Ordinal) { ["gz-yinhe"] = "银河园" };
}
