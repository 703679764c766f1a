using CivilAffairs.Application.Disaster.Analysis;

namespace CivilAffairs.Application.Tests.Disaster.Analysis;

public class AnalysisPriorityTests
{
    static readonly DateTimeOffset At = new(2025, 7, 1, 8, 0, 0, TimeSpan.FromHours(8));
    static readonly ImageQuality Good = new(850, false, 120, false);

    static ImageAnalysisResult Result(string engine = ImageAnalysisEngines.AzureVision, int people = 0, double personConfidence = 0.9,
        ImageQuality? quality = null, params (string Name, double Confidence)[] tags) =>
        new(engine, 1024, 768,
            Enumerable.Range(0, people).Select(i => new DetectedPerson(i * 40, 10, 30, 80, personConfidence)).ToArray(),
            tags.Select(t => new ImageTag(t.Name, t.Confidence)).ToArray(), [], quality, At);

    [Fact]
    public void Blurry_photo_changes_nothing_and_asks_for_a_reshoot_even_with_people()
    {
        var effect = AnalysisPriority.Evaluate(Result(ImageAnalysisEngines.LocalOpenCv, people: 6, quality: new ImageQuality(12.5, true, 110, false), tags: ("fire-or-flame", 0.7)));

        Assert.Equal(0, effect.Delta);
        Assert.True(effect.NeedsReshoot);
        Assert.Equal(["unusable:blurry"], effect.Signals);
        Assert.Contains("模糊", effect.Reason);
        Assert.Contains("重新拍摄", effect.Reason);
    }

    [Fact]
    public void Dark_and_blurry_photo_names_both_problems()
    {
        var effect = AnalysisPriority.Evaluate(Result(ImageAnalysisEngines.LocalOpenCv, quality: new ImageQuality(3, true, 8, true)));

        Assert.Equal(0, effect.Delta);
        Assert.True(effect.NeedsReshoot);
        Assert.Equal(["unusable:blurry", "unusable:dark"], effect.Signals);
        Assert.Contains("模糊且过暗", effect.Reason);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(4, 1)]
    [InlineData(5, 2)]
    [InlineData(30, 2)]
    public void More_people_raise_more(int people, int expected)
    {
        var effect = AnalysisPriority.Evaluate(Result(people: people, quality: Good, tags: ("outdoor", 0.99)));

        Assert.Equal(expected, effect.Delta);
        Assert.False(effect.NeedsReshoot);
        Assert.Equal([$"people:{people}"], effect.Signals);
        Assert.Contains($"检测到 {people} 名人员", effect.Reason);
        Assert.Contains($"优先级提高 {expected} 级", effect.Reason);
    }

    [Fact]
    public void Low_confidence_people_are_not_counted()
    {
        var effect = AnalysisPriority.Evaluate(Result(people: 3, personConfidence: 0.3, quality: Good, tags: ("outdoor", 0.99)));

        Assert.Equal(-1, effect.Delta);
        Assert.Equal(["calm"], effect.Signals);
    }

    [Theory]
    [InlineData("flood", "flood", "洪水/积水")]
    [InlineData("water", "flood", "洪水/积水")]
    [InlineData("fire", "fire", "火情")]
    [InlineData("fire-or-flame", "fire", "火情")]
    [InlineData("smoke", "smoke", "烟雾")]
    [InlineData("smoke-or-haze", "smoke", "烟雾")]
    [InlineData("collapsed building", "collapse", "建筑倒塌/废墟")]
    [InlineData("rubble", "collapse", "建筑倒塌/废墟")]
    [InlineData("landslide", "landslide", "山体滑坡/泥石流")]
    public void Hazard_tags_raise_by_one(string tag, string code, string label)
    {
        var effect = AnalysisPriority.Evaluate(Result(quality: Good, tags: [("outdoor", 0.99), (tag, 0.8)]));

        Assert.Equal(1, effect.Delta);
        Assert.Equal([$"hazard:{code}"], effect.Signals);
        Assert.Contains(label, effect.Reason);
    }

    [Theory]
    [InlineData("fire hydrant")]
    [InlineData("waterfall")]
    [InlineData("firefighter")]
    [InlineData("watercraft")]
    public void Words_that_only_look_like_hazards_do_not_raise(string tag)
    {
        var effect = AnalysisPriority.Evaluate(Result(quality: Good, tags: [("outdoor", 0.99), (tag, 0.95)]));

        Assert.Equal(-1, effect.Delta);
    }

    [Fact]
    public void Weak_hazard_tags_are_ignored()
    {
        var effect = AnalysisPriority.Evaluate(Result(ImageAnalysisEngines.LocalOpenCv, quality: Good, tags: ("water", 0.3)));

        Assert.Equal(0, effect.Delta);
        Assert.Empty(effect.Signals);
    }

    [Fact]
    public void People_and_hazards_add_up_but_are_capped_at_two()
    {
        var some = AnalysisPriority.Evaluate(Result(people: 2, quality: Good, tags: [("flood", 0.9)]));
        var many = AnalysisPriority.Evaluate(Result(people: 8, quality: Good, tags: [("flood", 0.9), ("fire", 0.8), ("rubble", 0.7)]));

        Assert.Equal(2, some.Delta);
        Assert.Equal(["people:2", "hazard:flood"], some.Signals);
        Assert.Equal(2, many.Delta);
        Assert.Equal(["people:8", "hazard:flood", "hazard:fire", "hazard:collapse"], many.Signals);
        Assert.Contains("洪水/积水、火情、建筑倒塌/废墟", many.Reason);
    }

    [Fact]
    public void A_calm_scene_seen_by_Azure_lowers_by_one()
    {
        var effect = AnalysisPriority.Evaluate(Result(quality: null, tags: [("building", 0.98), ("street", 0.93), ("outdoor", 0.9)]));

        Assert.Equal(-1, effect.Delta);
        Assert.False(effect.NeedsReshoot);
        Assert.Contains("降低 1 级", effect.Reason);
    }

    [Fact]
    public void The_local_engine_never_lowers_the_priority()
    {
        var effect = AnalysisPriority.Evaluate(Result(ImageAnalysisEngines.LocalOpenCv, quality: Good, tags: ("vegetation", 0.8)));

        Assert.Equal(0, effect.Delta);
        Assert.False(effect.NeedsReshoot);
        Assert.Contains("本地分析无法排除", effect.Reason);
    }

    [Fact]
    public void Azure_does_not_lower_for_a_dark_or_untagged_scene()
    {
        Assert.Equal(0, AnalysisPriority.Evaluate(Result(tags: [("night", 0.9), ("outdoor", 0.9)])).Delta);
        Assert.Equal(0, AnalysisPriority.Evaluate(Result()).Delta);
    }

    [Fact]
    public void Same_result_gives_same_effect_and_delta_stays_in_range()
    {
        var result = Result(people: 3, quality: Good, tags: [("flood", 0.9), ("smoke", 0.6)]);

        var first = AnalysisPriority.Evaluate(result);
        var second = AnalysisPriority.Evaluate(result);

        Assert.Equal(first.Delta, second.Delta);
        Assert.Equal(first.Reason, second.Reason);
        Assert.Equal(first.Signals, second.Signals);
        Assert.InRange(first.Delta, AnalysisPriorityEffect.MinDelta, AnalysisPriorityEffect.MaxDelta);
    }
}

public class ImageAnalysisJsonTests
{
    [Fact]
    public void Result_and_effect_serialise_in_the_platform_convention()
    {
        var result = new ImageAnalysisResult(ImageAnalysisEngines.LocalOpenCv, 640, 480,
            [new DetectedPerson(1, 2, 64, 128, 0.75)], [new ImageTag("water", 0.8)], [],
            new ImageQuality(12.5, true, 33, true), new DateTimeOffset(2025, 7, 1, 9, 30, 0, TimeSpan.FromHours(8)));

        var json = System.Text.Json.JsonSerializer.Serialize(result, CivilAffairs.Application.Platform.Json.JsonDefaults.Options);
        var effect = System.Text.Json.JsonSerializer.Serialize(AnalysisPriority.Evaluate(result), CivilAffairs.Application.Platform.Json.JsonDefaults.Options);

        Assert.Contains("\"engine\":\"local-opencv\"", json);
        Assert.Contains("\"people\":[{\"x\":1,\"y\":2,\"width\":64,\"height\":128,\"confidence\":0.75}]", json);
        Assert.Contains("\"peopleCount\":1", json);
        Assert.Contains("\"quality\":{\"sharpness\":12.5,\"isBlurry\":true,\"meanBrightness\":33,\"isDark\":true,\"isUnusable\":true}", json);
        Assert.Contains("\"analyzedAt\":\"2025-07-01T09:30:00+08:00\"", json);
        Assert.Contains("\"needsReshoot\":true", effect);
        Assert.Contains("照片模糊且过暗", effect);
    }
}
