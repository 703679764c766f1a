using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class NeedTests
{
    readonly ManualClock _clock = new(Fixtures.T0);
    readonly Incident _incident;

    public NeedTests() => _incident = Fixtures.Incident(_clock);

    NeedReport Report(string id, double northMetres = 0, decimal quantity = 30, NeedCategory category = NeedCategory.Water, Urgency urgency = Urgency.Normal, TimeSpan? after = null, string unit = "人", GeoPoint? at = null, params string[] photos) =>
        new(id, _incident.Id, category, quantity, unit, urgency, at ?? Fixtures.Near(northMetres), ReporterKind.Citizen, Fixtures.T0 + (after ?? TimeSpan.Zero), photos);

    Need Open(NeedReport report, string id = "need-1", params Need[] existing) =>
        NeedIntake.Accept(_incident, report, existing, id, _clock).Value.Need;

    [Fact]
    public void First_report_opens_a_need()
    {
        var result = NeedIntake.Accept(_incident, Report("r1", photos: "blob://p1"), [], "need-1", _clock).Value;
        Assert.Equal(IntakeKind.Created, result.Kind);
        var need = result.Need;
        Assert.Equal(("need-1", 1, 30m, "人", NeedStatus.Open), (need.Id, need.ReportCount, need.Quantity, need.Unit, need.Status));
        Assert.Equal(["r1"], need.ReportIds);
        Assert.Equal(["blob://p1"], need.PhotoRefs);
        Assert.False(need.OutsideIncidentArea);
    }

    [Fact]
    public void Report_within_radius_and_window_merges_keeping_earliest_time_max_quantity_and_highest_urgency()
    {
        _clock.Advance(TimeSpan.FromHours(2));
        var first = Open(Report("r1", quantity: 30, after: TimeSpan.FromMinutes(30), photos: "p1"));
        var result = NeedIntake.Accept(_incident, Report("r2", northMetres: 150, quantity: 20, urgency: Urgency.High, after: TimeSpan.FromMinutes(10), photos: ["p1", "p2"]) with { Reporter = ReporterKind.GridWorker }, [first], "need-2", _clock).Value;
        Assert.Equal(IntakeKind.Merged, result.Kind);
        var merged = result.Need;
        Assert.Equal("need-1", merged.Id);
        Assert.Equal(2, merged.ReportCount);
        Assert.Equal(30m, merged.Quantity);
        Assert.Equal(Urgency.High, merged.Urgency);
        Assert.Equal(Fixtures.T0.AddMinutes(10), merged.FirstReportedAt);
        Assert.Equal(Fixtures.T0.AddMinutes(30), merged.LastReportedAt);
        Assert.Equal(first.Position, merged.Position);
        Assert.Equal(["p1", "p2"], merged.PhotoRefs);
        Assert.Equal([ReporterKind.Citizen, ReporterKind.GridWorker], merged.Reporters);
    }

    [Fact]
    public void Sum_policy_adds_quantities()
    {
        var first = Open(Report("r1", quantity: 30));
        var merged = NeedIntake.Accept(_incident, Report("r2", quantity: 20), [first], "need-2", _clock, NeedMergePolicy.Default with { Quantity = QuantityMerge.Sum }).Value.Need;
        Assert.Equal(50m, merged.Quantity);
    }

    [Theory]
    [InlineData(199, 0, true)]
    [InlineData(201, 0, false)]
    [InlineData(0, 120, true)]
    [InlineData(0, 121, false)]
    public void Radius_and_window_bound_the_merge(double northMetres, int minutesLater, bool merges)
    {
        _clock.Advance(TimeSpan.FromHours(3));
        var first = Open(Report("r1"));
        var result = NeedIntake.Accept(_incident, Report("r2", northMetres, after: TimeSpan.FromMinutes(minutesLater)), [first], "need-2", _clock).Value;
        Assert.Equal(merges ? IntakeKind.Merged : IntakeKind.Created, result.Kind);
        Assert.Equal(merges ? "need-1" : "need-2", result.Need.Id);
    }

    [Fact]
    public void Custom_radius_and_window_are_honoured()
    {
        var first = Open(Report("r1"));
        var policy = NeedMergePolicy.Default with { Radius = 500, Window = TimeSpan.FromMinutes(10) };
        Assert.Equal(IntakeKind.Merged, NeedIntake.Accept(_incident, Report("r2", 400), [first], "n2", _clock, policy).Value.Kind);
        Assert.Equal(IntakeKind.Created, NeedIntake.Accept(_incident, Report("r2", 0, after: TimeSpan.FromMinutes(-11)), [first], "n2", _clock, policy).Value.Kind);
    }

    [Fact]
    public void Different_category_unit_incident_or_a_closed_need_do_not_merge()
    {
        var first = Open(Report("r1"));
        Assert.Equal(IntakeKind.Created, NeedIntake.Accept(_incident, Report("r2", category: NeedCategory.Food), [first], "n2", _clock).Value.Kind);
        Assert.Equal(IntakeKind.Created, NeedIntake.Accept(_incident, Report("r2", unit: "箱"), [first], "n2", _clock).Value.Kind);
        Assert.Equal(IntakeKind.Created, NeedIntake.Accept(_incident, Report("r2"), [first.MarkFulfilled().Value], "n2", _clock).Value.Kind);
        var other = first with { IncidentId = "inc-other" };
        Assert.Equal(IntakeKind.Created, NeedIntake.Accept(_incident, Report("r2"), [other], "n2", _clock).Value.Kind);
    }

    [Fact]
    public void Nearest_candidate_wins_then_earliest_then_id()
    {
        var a = Open(Report("ra", northMetres: 100), "need-a");
        var b = Open(Report("rb", northMetres: 20), "need-b");
        Assert.Equal("need-b", NeedIntake.Accept(_incident, Report("r", northMetres: 0), [a, b], "n", _clock).Value.Need.Id);

        var c = Open(Report("rc", northMetres: 50), "need-c");
        var d = Open(Report("rd", northMetres: -50), "need-d");
        // Same distance either side: earliest first report wins, then smaller id.
        var earlierD = d with { FirstReportedAt = Fixtures.T0.AddMinutes(-5) };
        Assert.Equal("need-d", NeedIntake.Accept(_incident, Report("r"), [c, earlierD], "n", _clock).Value.Need.Id);
        Assert.Equal("need-c", NeedIntake.Accept(_incident, Report("r"), [d, c], "n", _clock).Value.Need.Id);
    }

    [Fact]
    public void Redelivered_report_is_not_counted_twice()
    {
        var first = Open(Report("r1"));
        var merged = NeedIntake.Accept(_incident, Report("r2"), [first], "n2", _clock).Value.Need;
        var again = NeedIntake.Accept(_incident, Report("r2"), [merged], "n3", _clock).Value;
        Assert.Equal(IntakeKind.Duplicate, again.Kind);
        Assert.Same(merged, again.Need);
        Assert.Equal(2, again.Need.ReportCount);
    }

    [Fact]
    public void Position_outside_the_incident_polygon_is_accepted_but_flagged()
    {
        var result = NeedIntake.Accept(_incident, Report("r1", at: new GeoPoint(23.25, 113.30)), [], "need-1", _clock).Value;
        Assert.Equal(IntakeKind.Created, result.Kind);
        Assert.True(result.Need.OutsideIncidentArea);
    }

    [Fact]
    public void Invalid_reports_and_closed_incidents_are_rejected()
    {
        var outcome = NeedIntake.Accept(_incident, Report("r1", quantity: 0, unit: " ") with { ReportedAt = Fixtures.T0.AddHours(1) }, [], "n", _clock);
        Assert.Equal(["need.quantity.not_positive", "need.unit.required", "need.time.future"], outcome.Rejections.Select(r => r.Code));

        Assert.Equal("need.quantity.not_positive", NeedIntake.Accept(_incident, Report("r1", quantity: -1), [], "n", _clock).Rejection!.Code);
        Assert.Equal("need.incident.mismatch", NeedIntake.Accept(_incident, Report("r1") with { IncidentId = "x" }, [], "n", _clock).Rejection!.Code);
        Assert.Equal("need.photos.too_many", NeedIntake.Accept(_incident, Report("r1", photos: Enumerable.Range(0, 10).Select(i => $"p{i}").ToArray()), [], "n", _clock).Rejection!.Code);

        var closed = _incident.Close("staff", _clock).Value;
        var rejected = NeedIntake.Accept(closed, Report("r1"), [], "n", _clock);
        Assert.Equal("incident.closed", rejected.Rejection!.Code);
        Assert.Equal("灾害事件已结束，不再受理新的需求", rejected.Rejection.Reason);
    }

    [Fact]
    public void Priority_score_follows_the_documented_formula()
    {
        var need = Open(Report("r1", category: NeedCategory.Rescue, urgency: Urgency.Critical));
        Assert.Equal(new PriorityScore(75, 50, 25, 0, 0, 0), NeedPriority.Score(need, Fixtures.T0));

        var corroborated = need with { ReportCount = 3, AnalysisAdjustment = 2 };
        // 50 + 25 + 3×2 + 2×floor(3.9 h)=6 + 8×2 = 103
        Assert.Equal(new PriorityScore(103, 50, 25, 6, 6, 16), NeedPriority.Score(corroborated, Fixtures.T0.AddHours(3.9)));

        // Caps: reports at 5 extra (15), age at 20 points.
        var old = need with { ReportCount = 40, AnalysisAdjustment = 2 };
        Assert.Equal(126, NeedPriority.Score(old, Fixtures.T0.AddDays(3)).Total);

        var low = Open(Report("r2", category: NeedCategory.Other, urgency: Urgency.Low)) with { AnalysisAdjustment = -1 };
        Assert.Equal(new PriorityScore(2, 10, 0, 0, 0, -8), NeedPriority.Score(low, Fixtures.T0));
        // A report time in the future (clock skew) never gives negative age.
        Assert.Equal(0, NeedPriority.Score(need, Fixtures.T0.AddHours(-1)).Age);
    }

    [Fact]
    public void Priority_weights_are_configurable()
    {
        var need = Open(Report("r1", category: NeedCategory.Water, urgency: Urgency.Normal));
        var weights = PriorityWeights.Default with { CategoryPoints = [0, 0, 100, 0, 0, 0, 0] };
        Assert.Equal(120, NeedPriority.Score(need, Fixtures.T0, weights).Total);
    }

    [Fact]
    public void Analysis_adjustment_is_limited_to_minus_one_to_plus_two()
    {
        var need = Open(Report("r1"));
        Assert.Equal(2, need.WithAnalysisAdjustment(2).Value.AnalysisAdjustment);
        Assert.Equal(-1, need.WithAnalysisAdjustment(-1).Value.AnalysisAdjustment);
        Assert.Equal("need.analysis.range", need.WithAnalysisAdjustment(3).Rejection!.Code);
        Assert.Equal("need.analysis.range", need.WithAnalysisAdjustment(-2).Rejection!.Code);
    }

    [Fact]
    public void Ranking_orders_by_score_then_age_then_id_and_skips_closed_needs()
    {
        var a = Open(Report("ra", category: NeedCategory.Food), "b-id");
        var b = Open(Report("rb", category: NeedCategory.Shelter), "a-id");           // same score as a, same time → id decides
        var c = Open(Report("rc", category: NeedCategory.Medical), "c-id");          // higher score
        var d = Open(Report("rd", category: NeedCategory.Food), "0-id") with { FirstReportedAt = Fixtures.T0.AddMinutes(-10) }; // same score, earlier
        var fulfilled = Open(Report("re", category: NeedCategory.Rescue, urgency: Urgency.Critical), "e-id").MarkFulfilled().Value;
        var ranked = NeedPriority.Rank([a, b, c, d, fulfilled], Fixtures.T0.AddMinutes(5)).Select(x => x.Need.Id);
        Assert.Equal(["c-id", "0-id", "a-id", "b-id"], ranked);
        Assert.Equal("need.not_open", fulfilled.Cancel().Rejection!.Code);
    }

    [Fact]
    public void Chinese_names_cover_every_value()
    {
        Assert.Equal(["救援", "医疗", "饮用水", "食品", "安置", "电力", "其他"], Enum.GetValues<NeedCategory>().Select(c => c.ChineseName()));
        Assert.Equal(["低", "一般", "高", "紧急"], Enum.GetValues<Urgency>().Select(u => u.ChineseName()));
        Assert.Equal(["群众", "网格员", "现场工作组", "设备分析"], Enum.GetValues<ReporterKind>().Select(k => k.ChineseName()));
    }
}
