using System.Globalization;

namespace CivilAffairs.Application.Disaster.Analysis;

/// <summary>
/// How a photo changes the priority of a disaster need.
/// </summary>
/// <param name="Delta">Priority levels to add, from -1 (lower) to +2 (raise by two).</param>
/// <param name="NeedsReshoot">The photo is too blurred or too dark to judge; ask the sender for a new one.</param>
/// <param name="Reason">Why, in Simplified Chinese, for staff.</param>
/// <param name="Signals">Stable machine-readable codes of what was found (<c>people:3</c>, <c>hazard:flood</c>, <c>unusable:blurry</c>, <c>calm</c>…).</param>
public sealed record AnalysisPriorityEffect(int Delta, bool NeedsReshoot, string Reason, IReadOnlyList<string> Signals)
{
    public const int MinDelta = -1;
    public const int MaxDelta = 2;
}

/// <summary>
/// Turns an <see cref="ImageAnalysisResult"/> into an <see cref="AnalysisPriorityEffect"/>. Pure and
/// deterministic: the same result always gives the same effect.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>A photo too blurred or too dark (<see cref="ImageQuality.IsUnusable"/>) changes nothing and is flagged for a re-shoot.</item>
/// <item>People (confidence ≥ <see cref="MinPersonConfidence"/>): 1–4 raise by one, <see cref="ManyPeople"/> or more by two.</item>
/// <item>Hazard tags (confidence ≥ <see cref="MinHazardConfidence"/>: flood/water, fire, smoke, collapse/rubble, landslide) raise by one.</item>
/// <item>The sum is capped at +2.</item>
/// <item>Only a semantic engine (Azure AI Vision) that tagged the scene, saw no one, no hazard and no darkness lowers the
/// priority by one; the local engine's colour tags cannot rule damage out, so it never lowers it.</item>
/// </list>
/// </remarks>
public static class AnalysisPriority
{
    public const double MinPersonConfidence = 0.5;
    public const double MinHazardConfidence = 0.5;
    public const int ManyPeople = 5;

    /// <summary>Hazard categories: stable code, Chinese label, tag words (lower case, whole words).</summary>
    private static readonly (string Code, string Label, string[] Words)[] Hazards =
    [
        ("flood", "洪水/积水", ["flood", "flooding", "flooded", "inundation", "inundated", "waterlogged", "water"]),
        ("fire", "火情", ["fire", "fires", "flame", "flames", "wildfire", "blaze", "burning"]),
        ("smoke", "烟雾", ["smoke", "smoky", "haze"]),
        ("collapse", "建筑倒塌/废墟", ["collapsed", "collapse", "rubble", "debris", "ruins", "ruin", "wreckage", "destroyed", "damaged", "earthquake"]),
        ("landslide", "山体滑坡/泥石流", ["landslide", "landslip", "mudslide", "mudflow", "avalanche"]),
    ];

    /// <summary>Words that make a tag harmless even though it contains a hazard word ("fire hydrant").</summary>
    private static readonly HashSet<string> Harmless = ["hydrant", "extinguisher", "fireplace", "campfire", "firework", "fireworks", "waterfall"];

    /// <summary>Tags saying the scene could not be seen well: no reason to lower the priority.</summary>
    private static readonly HashSet<string> DarknessWords = ["night", "dark", "darkness", "black"];

    public static AnalysisPriorityEffect Evaluate(ImageAnalysisResult result)
    {
        ArgumentNullException.ThrowIfNull(result);

        if (result.Quality is { IsUnusable: true } quality)
        {
            var signals = new List<string>();
            var problems = new List<string>();
            if (quality.IsBlurry)
            {
                signals.Add("unusable:blurry");
                problems.Add("模糊");
            }
            if (quality.IsDark)
            {
                signals.Add("unusable:dark");
                problems.Add("过暗");
            }
            return new AnalysisPriorityEffect(0, true,
                $"照片{string.Join("且", problems)}，无法判读现场情况，请重新拍摄；优先级不变。", signals);
        }

        var people = result.People.Count(p => p.Confidence >= MinPersonConfidence);
        var hazards = HazardsIn(result.Tags);

        var parts = new List<string>();
        var found = new List<string>();
        var delta = 0;
        if (people > 0)
        {
            delta += people >= ManyPeople ? 2 : 1;
            found.Add($"people:{people.ToString(CultureInfo.InvariantCulture)}");
            parts.Add(people >= ManyPeople ? $"检测到 {people} 名人员（人员较多）" : $"检测到 {people} 名人员");
        }
        if (hazards.Count > 0)
        {
            delta += 1;
            found.AddRange(hazards.Select(h => $"hazard:{h.Code}"));
            parts.Add($"发现灾情迹象：{string.Join("、", hazards.Select(h => h.Label))}");
        }
        delta = Math.Min(delta, AnalysisPriorityEffect.MaxDelta);

        if (delta > 0)
            return new AnalysisPriorityEffect(delta, false, $"{string.Join("；", parts)}。优先级提高 {delta} 级。", found);

        var semantic = result.Engine == ImageAnalysisEngines.AzureVision;
        var sawScene = result.Tags.Any(t => t.Confidence >= MinHazardConfidence);
        var dark = result.Tags.Any(t => t.Confidence >= MinHazardConfidence && Words(t.Name).Any(DarknessWords.Contains));
        if (semantic && sawScene && !dark)
            return new AnalysisPriorityEffect(-1, false, "照片清晰可辨，未发现人员或灾情迹象。优先级降低 1 级。", ["calm"]);

        return new AnalysisPriorityEffect(0, false,
            semantic ? "未发现人员或灾情迹象，但画面信息不足以排除险情。优先级不变。"
                     : "未发现人员或灾情迹象（本地分析无法排除房屋损毁等险情）。优先级不变。",
            []);
    }

    private static List<(string Code, string Label)> HazardsIn(IReadOnlyList<ImageTag> tags)
    {
        var found = new List<(string Code, string Label)>();
        foreach (var (code, label, words) in Hazards)
        {
            var present = tags.Any(t => t.Confidence >= MinHazardConfidence
                && Words(t.Name) is var tagWords
                && !tagWords.Any(Harmless.Contains)
                && tagWords.Any(w => words.Contains(w)));
            if (present) found.Add((code, label));
        }
        return found;
    }

    private static string[] Words(string tag) =>
        tag.ToLowerInvariant().Split((char[])[' ', '-', '_', '/', ',', '.'], StringSplitOptions.RemoveEmptyEntries);
}
