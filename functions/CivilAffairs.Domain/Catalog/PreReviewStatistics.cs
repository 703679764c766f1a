namespace CivilAffairs.Domain.Catalog;

/// <summary>What the statistics need to know about one stored pre-review.</summary>
public sealed record PreReviewFact(ServiceArea Area, PreReviewOutcome Outcome, IReadOnlyList<string> MissingOrRejectedItems);

public sealed record ItemCount(string Item, int Count);

public sealed record AreaStatistics(ServiceArea Area, int Total, int Passed, int Incomplete, decimal PassRate, IReadOnlyList<ItemCount> TopProblems);

/// <summary>Per-area pre-review statistics (pass rate, most common problems).</summary>
public static class PreReviewStatisticsCalculator
{
    public static IReadOnlyList<AreaStatistics> Compute(IEnumerable<PreReviewFact> facts, int topProblems = 5)
    {
        var byArea = facts.GroupBy(f => f.Area).ToDictionary(g => g.Key, g => g.ToList());
        return Enum.GetValues<ServiceArea>().Select(area =>
        {
            var list = byArea.GetValueOrDefault(area) ?? [];
            var passed = list.Count(f => f.Outcome == PreReviewOutcome.Passed);
            var top = list.SelectMany(f => f.MissingOrRejectedItems.Distinct())
                .GroupBy(i => i)
                .Select(g => new ItemCount(g.Key, g.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Item, StringComparer.Ordinal)
                .Take(topProblems).ToList();
            var rate = list.Count == 0 ? 0m : Math.Round((decimal)passed / list.Count, 4);
            return new AreaStatistics(area, list.Count, passed, list.Count - passed, rate, top);
        }).ToList();
    }
}
