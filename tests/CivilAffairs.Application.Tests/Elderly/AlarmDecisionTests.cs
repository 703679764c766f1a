using CivilAffairs.Application.Elderly.Alarms;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform.Realtime;
using CivilAffairs.Domain.Elderly;
using Microsoft.Extensions.Time.Testing;

namespace CivilAffairs.Application.Tests.Elderly;

/// <summary>The alarm services' decisions that need no storage: who gets an alarm, what each audience sees, terminals in the registry.</summary>
public class AlarmDecisionTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.FromHours(8));
    static readonly string[] Roster = ["op-1", "op-2", "op-3"];

    [Fact]
    public void New_alarms_are_spread_evenly_over_the_roster_and_an_alarm_always_starts_at_the_same_desk()
    {
        var counts = Enumerable.Range(0, 3000).Select(i => AlarmDesks.PickOperator(Roster, $"01JD{i:D22}", [])).GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Roster.Order(), counts.Keys.Order());
        Assert.All(counts.Values, n => Assert.InRange(n, 850, 1150));
        Assert.Equal(AlarmDesks.PickOperator(Roster, "01JDALARM0000000000000001", []), AlarmDesks.PickOperator(Roster, "01JDALARM0000000000000001", []));
    }

    [Fact]
    public void A_re_offer_never_rings_at_a_desk_it_already_rang_at_while_another_is_left()
    {
        var first = AlarmDesks.PickOperator(Roster, "01JDALARM0000000000000002", []);
        var second = AlarmDesks.PickOperator(Roster, "01JDALARM0000000000000002", [first]);
        Assert.NotEqual(first, second);
        var third = AlarmDesks.PickOperator(Roster, "01JDALARM0000000000000002", [first, second]);
        Assert.DoesNotContain(third, new[] { first, second });
        Assert.Equal("op-2", AlarmDesks.PickOperator(Roster, "any", ["op-1", "op-3"]));
        // Everyone tried: the first desk again (the domain then refuses the same desk twice in a row, and the supervisor follows).
        Assert.Equal("op-1", AlarmDesks.PickOperator(["op-1"], "any", ["op-1"]));
    }

    [Fact]
    public void Each_company_has_its_own_signalr_group_with_a_valid_name()
    {
        Assert.Equal("alarm_pat_center", RealtimeNames.AlarmCompanyGroup("pat-center"));
        Assert.True(RealtimeNames.IsValidGroup(RealtimeNames.AlarmCompanyGroup("PAT.Center-2")));
        Assert.Equal("alarms", AlarmDesks.Hub);
    }

    [Fact]
    public void Alarm_terminal_kinds_belong_to_the_elderly_area_and_map_to_the_domain()
    {
        Assert.Equal(DeviceArea.Disaster, DeviceKind.Drone.AreaOf());
        Assert.Equal(DeviceArea.Elderly, DeviceKind.AlarmButton.AreaOf());
        Assert.Equal(TerminalKind.OneButton, DeviceKind.AlarmButton.TerminalKindOf());
        Assert.Equal(TerminalKind.SmartSensor, DeviceKind.AlarmSensor.TerminalKindOf());
        Assert.Null(DeviceKind.Drone.TerminalKindOf());
        foreach (var kind in Enum.GetValues<TerminalKind>()) Assert.Equal(kind, kind.DeviceKindOf().TerminalKindOf());
    }

    [Fact]
    public void A_registered_terminal_is_the_domain_terminal_of_its_elder_a_drone_is_none()
    {
        var button = new DeviceView("t-1", "按钮", DeviceKind.AlarmButton, "440104002001", 0, 0, DeviceStatus.Active, T0, null,
            new DeviceBinding(DeviceArea.Elderly, "elder-1", 86400), T0.AddHours(1));
        var terminal = TerminalService.TerminalOf(button)!;
        Assert.Equal(("t-1", "elder-1", TerminalKind.OneButton, TimeSpan.FromDays(1), T0.AddHours(1)),
            (terminal.Id, terminal.ElderId, terminal.Kind, terminal.HeartbeatInterval, terminal.LastSeenAt));
        Assert.Null(TerminalService.TerminalOf(button with { Kind = DeviceKind.Drone, Binding = null }));
    }

    [Fact]
    public void The_heartbeat_due_index_sorts_by_time()
    {
        var early = TerminalService.DueKey(T0, "zzz");
        var late = TerminalService.DueKey(T0.AddSeconds(1), "aaa");
        Assert.True(string.CompareOrdinal(early, late) < 0);
        Assert.StartsWith("20261203020000|", early); // UTC
    }

    static StoredElder Elder() => new(
        new Elder
        {
            Id = "elder-1", Name = "李建国", BirthDate = new DateOnly(1940, 5, 1), Category = ElderCategory.Aged80Plus, LivesAlone = true,
            Community = "盐运西社区", DistrictCode = "440104",
        },
        "440104002001", "person-ljg", "id-index", "广东省广州市越秀区北京街道盐运西社区某路1号",
        [
            new StoredContact("c-1", "李娜", ContactRole.Relative, "13800000004", true, T0.AddDays(-30), "person-ln"),
            new StoredContact("c-2", "王社工", ContactRole.CommunityWorker, "13800000002", true, T0.AddDays(-30), null),
        ],
        [new Enrolment("elder-1", Domain.Elderly.ElderCareService.AlarmService, new DateOnly(2025, 1, 1))], "123456789012", T0.AddYears(-1), "seed", default);

    static AlarmRecord Record(FakeTimeProvider clock)
    {
        var terminal = new AlarmTerminal("t-1", "elder-1", TerminalKind.OneButton, TimeSpan.FromDays(1), T0.AddDays(-10));
        var alarm = Alarm.Raise("al-1", terminal, new TerminalEvent("t-1", TerminalEventKind.Press, T0.AddSeconds(-2)), "pat-center", clock).Value.Offer("op-1", clock).Value;
        clock.Advance(TimeSpan.FromSeconds(20));
        alarm = alarm.Answer("op-1", clock).Value.RecordOutcome(AlarmResolution.RelativeSent, null, "op-1", clock).Value;
        return new AlarmRecord(alarm, "440104002001", null, 80, new AlarmResponder("relative", "c-1", "李娜"), "老人摔倒，意识清醒");
    }

    [Fact]
    public void The_desk_sees_phones_and_address_masked_unless_a_purpose_allows_them()
    {
        var clock = new FakeTimeProvider(T0);
        var record = Record(clock);
        var masked = AlarmService.DeskView(record, Elder(), unmask: false, clock, AlarmPolicy.Default);
        Assert.Equal("138****0004", masked.Contacts[0].Phone);
        Assert.DoesNotContain("某路1号", masked.Address);
        Assert.Equal(86, masked.Age);
        Assert.Equal(TimeSpan.FromSeconds(20), masked.Sla.ReceivedToAnswered);
        var open = AlarmService.DeskView(record, Elder(), unmask: true, clock, AlarmPolicy.Default);
        Assert.Equal("13800000004", open.Contacts[0].Phone);
        Assert.Equal(Elder().Address, open.Address);
    }

    [Fact]
    public void A_relative_sees_what_happened_and_who_is_coming_not_the_desk()
    {
        var clock = new FakeTimeProvider(T0);
        var view = AlarmService.RelativeView(Record(clock), Elder());
        Assert.Equal(("李建国", "通知亲属上门", "李娜"), (view.ElderName, view.OutcomeName, view.WhoIsComing));
        Assert.Equal(["发出一键呼叫告警", "呼叫中心已收到", "坐席已接听", "处置：通知亲属上门"], view.Timeline.Select(s => s.What));
        var json = System.Text.Json.JsonSerializer.Serialize(view, CivilAffairs.Application.Platform.Json.JsonDefaults.Options);
        Assert.DoesNotContain("op-1", json);
        Assert.DoesNotContain("13800000004", json);
        Assert.DoesNotContain("老人摔倒", json);
    }
}
