using CivilAffairs.Domain.Disaster;

namespace CivilAffairs.Domain.Tests.Disaster;

public class DispatchTests
{
    static readonly DateOnly Today = new(2026, 7, 20);
    readonly ManualClock _clock = new(Fixtures.T0);
    readonly Incident _incident;
    readonly Need _need;
    readonly WarehouseStock _stock = new("wh-1");
    readonly AllocationPlan _plan;

    public DispatchTests()
    {
        _incident = Fixtures.Incident(_clock, ResponseLevel.II);
        _need = NeedIntake.Accept(_incident, new NeedReport("r1", _incident.Id, NeedCategory.Shelter, 8, "顶", Urgency.High, Fixtures.Near(), ReporterKind.GridWorker, Fixtures.T0), [], "need-1", _clock).Value.Need;
        _stock.Receive("TENT", "T-1", null, 5, "PO", "k", Fixtures.T0).Value.ToString();
        _stock.Receive("TENT", "T-2", null, 5, "PO", "k", Fixtures.T0).Value.ToString();
        _plan = AllocationPlanner.Plan(new AllocationRequest(_need.Position, [new("TENT", 8)]), [new(new Warehouse("wh-1", "天河区救灾物资储备点", Fixtures.Near(800), "440106"), _stock.Lots())], Today);
    }

    Dispatch Started() => Dispatch.Start("dsp-1", _incident, _need, "dispatcher", _clock).Value.Plan(_plan, "dispatcher", _clock).Value.Dispatch;

    Dispatch Reserve(Dispatch d)
    {
        foreach (var p in d.Picks) _stock.ReserveLot(p.ItemCode, p.LotNumber, p.Quantity, d.Id, "dispatcher", _clock.GetUtcNow(), Today).Value.ToString();
        return d.MarkReserved("dispatcher", _clock).Value.Dispatch;
    }

    [Fact]
    public void Normal_path_from_plan_to_confirmed_delivery()
    {
        var d = Started();
        Assert.Equal((DispatchStatus.Planned, ResponseLevel.II, Fixtures.T0), (d.Status, d.Level, d.StartedAt));
        d = Reserve(d);
        Assert.Equal(8m, _stock.ReservedFor("dsp-1").Sum(r => r.Quantity));

        _clock.Advance(TimeSpan.FromMinutes(20));
        var assigned = d.AssignTeam("team-7", "dispatcher", _clock).Value;
        Assert.Equal((DispatchStatus.TeamAssigned, "team-7", StockEffect.None), (assigned.Dispatch.Status, assigned.Dispatch.TeamId, assigned.StockEffect));
        var reassigned = assigned.Dispatch.AssignTeam("team-8", "dispatcher", _clock).Value.Dispatch;
        Assert.Equal("team-8", reassigned.TeamId);

        var picked = reassigned.PickUp("team-8", _clock).Value;
        Assert.Equal(StockEffect.IssueReservations, picked.StockEffect);
        _stock.IssueAll("dsp-1", "keeper", _clock.GetUtcNow()).Value.ToString();
        Assert.Equal(2m, _stock.Lots("TENT").Sum(l => l.OnHand));

        _clock.Advance(TimeSpan.FromHours(3));
        var delivered = picked.Dispatch.ConfirmDelivery("sig://blob/abc", "photo://blob/def", "team-8", _clock).Value.Dispatch;
        Assert.Equal(DispatchStatus.Delivered, delivered.Status);
        Assert.Equal(new DeliveryConfirmation("sig://blob/abc", "photo://blob/def", _clock.GetUtcNow(), "team-8"), delivered.Delivery);
        Assert.Equal(
            [(DispatchStatus.Planned, DispatchStatus.Planned), (DispatchStatus.Planned, DispatchStatus.Reserved), (DispatchStatus.Reserved, DispatchStatus.TeamAssigned), (DispatchStatus.TeamAssigned, DispatchStatus.TeamAssigned), (DispatchStatus.TeamAssigned, DispatchStatus.PickedUp), (DispatchStatus.PickedUp, DispatchStatus.Delivered)],
            delivered.History.Select(h => (h.From, h.To)));
        Assert.Equal(DeadlineState.DeliveredInTime, delivered.AssessDeadline(_clock.GetUtcNow().AddDays(2)).State);
    }

    [Fact]
    public void A_second_delivery_confirmation_is_rejected()
    {
        var d = Reserve(Started()).AssignTeam("t", "d", _clock).Value.Dispatch.PickUp("t", _clock).Value.Dispatch;
        var delivered = d.ConfirmDelivery("sig://1", "photo://1", "t", _clock).Value.Dispatch;
        var again = delivered.ConfirmDelivery("sig://2", "photo://2", "t", _clock);
        Assert.Equal("dispatch.already_delivered", again.Rejection!.Code);
        Assert.Equal("该调度单已确认送达，不能重复确认", again.Rejection.Reason);
    }

    [Fact]
    public void Delivery_needs_a_recipient_confirmation_and_a_photo()
    {
        var d = Reserve(Started()).AssignTeam("t", "d", _clock).Value.Dispatch.PickUp("t", _clock).Value.Dispatch;
        var outcome = d.ConfirmDelivery(" ", "", "t", _clock);
        Assert.Equal(["recipientConfirmation", "photoRef"], outcome.Rejections.Select(r => r.Field));
    }

    [Fact]
    public void Illegal_transitions_are_rejected_with_a_chinese_reason()
    {
        var planned = Started();
        var pick = planned.PickUp("t", _clock);
        Assert.Equal("dispatch.transition.illegal", pick.Rejection!.Code);
        Assert.Equal("调度单当前状态为已计划，不能取货", pick.Rejection.Reason);
        Assert.Equal("调度单当前状态为已计划，不能派队", planned.AssignTeam("t", "d", _clock).Rejection!.Reason);
        Assert.Equal("调度单当前状态为已计划，不能确认送达", planned.ConfirmDelivery("s", "p", "t", _clock).Rejection!.Reason);

        var reserved = Reserve(planned);
        Assert.Equal("调度单当前状态为已预留，不能预留库存", reserved.MarkReserved("d", _clock).Rejection!.Reason);

        var picked = reserved.AssignTeam("t", "d", _clock).Value.Dispatch.PickUp("t", _clock).Value.Dispatch;
        Assert.Equal("调度单当前状态为已取货，不能取消", picked.Cancel("不需要了", "d", _clock).Rejection!.Reason);

        var cancelled = planned.Cancel("重复调度", "d", _clock).Value.Dispatch;
        foreach (var attempt in new[]
        {
            cancelled.MarkReserved("d", _clock), cancelled.AssignTeam("t", "d", _clock), cancelled.PickUp("t", _clock),
            cancelled.ConfirmDelivery("s", "p", "t", _clock), cancelled.Cancel("x", "d", _clock), cancelled.Fail("x", "d", _clock),
            cancelled.Escalate("x", "d", _clock),
        })
        {
            Assert.Equal("dispatch.transition.illegal", attempt.Rejection!.Code);
            Assert.StartsWith("调度单当前状态为已取消，不能", attempt.Rejection.Reason);
        }
    }

    [Fact]
    public void Cancelling_or_failing_before_pickup_releases_the_reservations()
    {
        var planned = Started();
        var cancelPlanned = planned.Cancel("需求已由社会力量满足", "d", _clock).Value;
        Assert.Equal((DispatchStatus.Cancelled, StockEffect.None, "需求已由社会力量满足"), (cancelPlanned.Dispatch.Status, cancelPlanned.StockEffect, cancelPlanned.Dispatch.EndReason));

        var reserved = Reserve(planned);
        var cancelled = reserved.Cancel("需求已由社会力量满足", "d", _clock).Value;
        Assert.Equal(StockEffect.ReleaseReservations, cancelled.StockEffect);
        Assert.Equal(2, _stock.ReleaseAll("dsp-1", "d", _clock.GetUtcNow()).Value.Count);
        Assert.Equal(10m, _stock.Available("TENT", Today));

        var failed = reserved.AssignTeam("t", "d", _clock).Value.Dispatch.Fail("道路中断", "t", _clock).Value;
        Assert.Equal((DispatchStatus.Failed, StockEffect.ReleaseReservations), (failed.Dispatch.Status, failed.StockEffect));
        Assert.Equal("dispatch.reason_required", reserved.Cancel(" ", "d", _clock).Rejection!.Code);
    }

    [Fact]
    public void Failing_after_pickup_asks_for_the_goods_to_be_returned()
    {
        var picked = Reserve(Started()).AssignTeam("t", "d", _clock).Value.Dispatch.PickUp("t", _clock).Value.Dispatch;
        var failed = picked.Fail("车辆受阻无法到达", "t", _clock).Value;
        Assert.Equal((DispatchStatus.Failed, StockEffect.ReturnIssued), (failed.Dispatch.Status, failed.StockEffect));
    }

    [Fact]
    public void Escalation_is_a_flag_and_the_dispatch_carries_on()
    {
        var reserved = Reserve(Started());
        _clock.Advance(TimeSpan.FromHours(8));
        var escalated = reserved.Escalate("临近送达时限", "system", _clock).Value;
        Assert.Equal(StockEffect.None, escalated.StockEffect);
        var d = escalated.Dispatch;
        Assert.Equal((true, DispatchStatus.Reserved, "临近送达时限", Fixtures.T0.AddHours(8)), (d.Escalated, d.Status, d.EscalationReason, d.EscalatedAt!.Value));
        var delivered = d.AssignTeam("t", "d", _clock).Value.Dispatch.PickUp("t", _clock).Value.Dispatch.ConfirmDelivery("s", "p", "t", _clock).Value.Dispatch;
        Assert.True(delivered.Escalated);
        Assert.Equal("dispatch.escalation.reason_required", reserved.Escalate("", "system", _clock).Rejection!.Code);
    }

    [Fact]
    public void Start_needs_an_active_incident_an_open_need_and_something_to_send()
    {
        var closed = _incident.Close("staff", _clock).Value;
        Assert.Equal("dispatch.incident.closed", Dispatch.Start("d", closed, _need, "x", _clock).Rejection!.Code);
        var empty = new AllocationPlan([new AllocationLineResult("TENT", 8, [])]);
        var started = Dispatch.Start("d", _incident, _need, "x", _clock).Value;
        Assert.Empty(started.Picks);
        Assert.Equal("dispatch.plan.empty", started.Plan(empty, "x", _clock).Rejection!.Code);
        Assert.Equal("dispatch.transition.illegal", Started().Plan(_plan, "x", _clock).Value.Dispatch.MarkReserved("x", _clock).Value.Dispatch.Plan(_plan, "x", _clock).Rejection!.Code);
        Assert.Equal("dispatch.need.not_open", Dispatch.Start("d", _incident, _need.MarkFulfilled().Value, "x", _clock).Rejection!.Code);
        // Nothing to plan from: a planned dispatch may fail without any stock to release.
        var failed = started.Fail("没有可调拨的库存", "system", _clock).Value;
        Assert.Equal((DispatchStatus.Failed, StockEffect.None), (failed.Dispatch.Status, failed.StockEffect));
    }

    [Theory]
    [InlineData(0, DeadlineState.OnTrack)]
    [InlineData(479, DeadlineState.OnTrack)]
    [InlineData(480, DeadlineState.AtRisk)]
    [InlineData(600, DeadlineState.AtRisk)]
    [InlineData(601, DeadlineState.Overdue)]
    public void Deadline_warning_starts_at_eighty_percent_of_the_level_limit(int minutes, DeadlineState expected)
    {
        var d = Started();
        var a = d.AssessDeadline(Fixtures.T0.AddMinutes(minutes));
        Assert.Equal(expected, a.State);
        Assert.Equal(Fixtures.T0.AddHours(10), a.Deadline);
        Assert.Equal(expected is DeadlineState.AtRisk or DeadlineState.Overdue, a.NeedsAttention);
    }

    [Fact]
    public void Deadline_uses_the_configured_level_limit_and_fraction()
    {
        var d = Started(); // level II
        var local = new DeliveryDeadlines(TimeSpan.FromHours(4), TimeSpan.FromHours(6), TimeSpan.FromHours(12), TimeSpan.FromHours(24));
        Assert.Equal(Fixtures.T0.AddHours(6), d.DeadlineAt(local));
        Assert.Equal(DeadlineState.AtRisk, d.AssessDeadline(Fixtures.T0.AddHours(3), local, 0.5m).State);
        Assert.Equal(DeadlineState.OnTrack, d.AssessDeadline(Fixtures.T0.AddHours(3), local, 0.6m).State);
        var a = d.AssessDeadline(Fixtures.T0.AddHours(9), local);
        Assert.Equal((DeadlineState.Overdue, 1.5m), (a.State, a.FractionUsed));
    }

    [Fact]
    public void Delivery_clock_reports_late_deliveries_and_refuses_nonsense()
    {
        var late = DeliveryClock.Assess(Fixtures.T0, TimeSpan.FromHours(10), Fixtures.T0.AddHours(30), deliveredAt: Fixtures.T0.AddHours(11));
        Assert.Equal(DeadlineState.DeliveredLate, late.State);
        Assert.Equal(TimeSpan.FromHours(11), late.Elapsed);
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryClock.Assess(Fixtures.T0, TimeSpan.FromHours(10), Fixtures.T0, 0m));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryClock.Assess(Fixtures.T0, TimeSpan.FromHours(10), Fixtures.T0, 1.01m));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeliveryClock.Assess(Fixtures.T0, TimeSpan.Zero, Fixtures.T0));
    }
}
