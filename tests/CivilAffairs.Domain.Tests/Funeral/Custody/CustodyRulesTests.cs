using System.Security.Cryptography;
using System.Text;
using CivilAffairs.Domain.Funeral.Custody;

namespace CivilAffairs.Domain.Tests.Funeral.Custody;

public sealed class CustodyStateMachineTests
{
    [Theory]
    [InlineData(CustodyStep.Intake, CustodyStep.Transport)]
    [InlineData(CustodyStep.Transport, CustodyStep.ColdStorage)]
    [InlineData(CustodyStep.ColdStorage, CustodyStep.Farewell)]
    [InlineData(CustodyStep.Farewell, CustodyStep.Cremation)]
    [InlineData(CustodyStep.Cremation, CustodyStep.Release)]
    [InlineData(CustodyStep.Cremation, CustodyStep.Placement)]
    public void The_chain_hospital_to_columbarium_is_allowed(CustodyStep current, CustodyStep next) =>
        Assert.Null(CustodySteps.CheckNext(current, next, infectious: false, farewellWaived: false));

    [Theory]
    [InlineData(CustodyStep.Intake, CustodyStep.ColdStorage)]
    [InlineData(CustodyStep.Intake, CustodyStep.Cremation)]
    [InlineData(CustodyStep.Transport, CustodyStep.Farewell)]
    [InlineData(CustodyStep.Farewell, CustodyStep.Release)]
    [InlineData(CustodyStep.ColdStorage, CustodyStep.Placement)]
    [InlineData(CustodyStep.Cremation, CustodyStep.Farewell)]
    [InlineData(CustodyStep.ColdStorage, CustodyStep.Transport)]
    [InlineData(CustodyStep.Transport, CustodyStep.Intake)]
    public void Skipping_or_going_back_is_out_of_order(CustodyStep current, CustodyStep next) =>
        Assert.Equal("STEP_OUT_OF_ORDER", CustodySteps.CheckNext(current, next, false, false)?.Code);

    [Fact]
    public void Cremation_straight_after_cold_storage_needs_the_family_to_waive_the_farewell()
    {
        var refused = CustodySteps.CheckNext(CustodyStep.ColdStorage, CustodyStep.Cremation, false, farewellWaived: false);
        Assert.Equal("STEP_OUT_OF_ORDER", refused?.Code);
        Assert.Equal("farewellWaived", refused?.Field);
        Assert.Null(CustodySteps.CheckNext(CustodyStep.ColdStorage, CustodyStep.Cremation, false, farewellWaived: true));
    }

    [Fact]
    public void An_infectious_body_has_no_farewell_and_goes_from_cold_storage_to_cremation()
    {
        Assert.Equal("FAREWELL_NOT_ALLOWED", CustodySteps.CheckNext(CustodyStep.ColdStorage, CustodyStep.Farewell, infectious: true, false)?.Code);
        Assert.Null(CustodySteps.CheckNext(CustodyStep.ColdStorage, CustodyStep.Cremation, infectious: true, farewellWaived: false));
    }

    [Theory]
    [InlineData(CustodyStep.Release)]
    [InlineData(CustodyStep.Placement)]
    public void Nothing_follows_release_or_placement(CustodyStep final)
    {
        Assert.Equal("CUSTODY_ENDED", CustodySteps.CheckNext(final, CustodyStep.Placement, false, false)?.Code);
        Assert.Equal(CustodyRejectionKind.State, CustodySteps.CheckNext(final, CustodyStep.Release, false, false)?.Kind);
    }

    [Fact]
    public void The_same_person_cannot_hand_over_and_receive()
    {
        Assert.Equal("SAME_PARTY", CustodySteps.CheckParties("funeral-staff-a", "funeral-staff-a")?.Code);
        Assert.Null(CustodySteps.CheckParties("funeral-staff-a", "funeral-staff-b"));
    }
}

public sealed class CustodyChainTests
{
    static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    static readonly DateTimeOffset T0 = new(2026, 12, 1, 8, 0, 0, TimeSpan.FromHours(8));

    static List<LedgerEntry> Chain(int n)
    {
        var entries = new List<LedgerEntry>();
        var previous = CustodyChain.Genesis;
        var steps = new[] { CustodyStep.Intake, CustodyStep.Transport, CustodyStep.ColdStorage, CustodyStep.Farewell, CustodyStep.Cremation, CustodyStep.Placement };
        for (var i = 0; i < n; i++)
        {
            var entry = CustodyChain.Seal(new LedgerEntry
            {
                BodyId = "01JBODY0000000000000000000", Sequence = i + 1, Step = steps[i], Location = $"位置{i}", At = T0.AddHours(i),
                HandedBy = "funeral-staff-a", ReceivedBy = "funeral-staff-b", SiteId = "gz-funeral-home", HandoverId = $"h{i}",
                ConfirmedAt = T0.AddHours(i).AddMinutes(5), PreviousHash = "", Hash = "",
            }, previous, Hash);
            entries.Add(entry);
            previous = entry.Hash;
        }
        return entries;
    }

    [Fact]
    public void An_untouched_chain_verifies_and_answers_its_head()
    {
        var chain = Chain(6);
        var result = CustodyChain.Verify(chain, 6, chain[^1].Hash, Hash);
        Assert.True(result.Valid);
        Assert.Equal(6, result.Checked);
        Assert.Equal(chain[^1].Hash, result.HeadHash);
        Assert.Equal(CustodyChain.Genesis, chain[0].PreviousHash);
        Assert.Equal(chain[0].Hash, chain[1].PreviousHash);
    }

    [Fact]
    public void Each_hash_covers_the_content_and_the_previous_hash()
    {
        var chain = Chain(2);
        Assert.NotEqual(chain[1].Hash, CustodyChain.Seal(chain[1] with { Location = "别处" }, chain[0].PreviousHash, Hash).Hash);
        Assert.NotEqual(chain[1].Hash, CustodyChain.Seal(chain[1], CustodyChain.Genesis, Hash).Hash);
    }

    [Fact]
    public void An_altered_entry_is_the_first_broken_link()
    {
        var chain = Chain(6);
        chain[2] = chain[2] with { Location = "被改过的位置" };
        var result = CustodyChain.Verify(chain, 6, chain[^1].Hash, Hash);
        Assert.False(result.Valid);
        Assert.Equal(3, result.FirstBrokenSequence);
        Assert.Equal(ChainBreak.HashMismatch, result.Problem);
    }

    [Fact]
    public void A_rehashed_entry_breaks_the_link_to_the_next()
    {
        var chain = Chain(6);
        chain[2] = CustodyChain.Seal(chain[2] with { ReceivedBy = "someone-else" }, chain[2].PreviousHash, Hash);
        var result = CustodyChain.Verify(chain, 6, chain[^1].Hash, Hash);
        Assert.Equal((false, 4L, ChainBreak.LinkBroken), (result.Valid, result.FirstBrokenSequence, result.Problem));
    }

    [Fact]
    public void Deleted_entries_are_found_in_the_middle_and_at_the_end()
    {
        var chain = Chain(6);
        var gap = chain.Where(e => e.Sequence != 4).ToList();
        Assert.Equal((4L, ChainBreak.EntryMissing), (CustodyChain.Verify(gap, 6, chain[^1].Hash, Hash).FirstBrokenSequence, CustodyChain.Verify(gap, 6, chain[^1].Hash, Hash).Problem));
        var cut = chain.Take(5).ToList();
        var result = CustodyChain.Verify(cut, 6, chain[^1].Hash, Hash);
        Assert.Equal((6L, ChainBreak.EntryMissing), (result.FirstBrokenSequence, result.Problem));
        Assert.Equal(ChainBreak.HeadMismatch, CustodyChain.Verify(chain, 6, chain[3].Hash, Hash).Problem);
    }
}

public sealed class CustodyDeadlineTests
{
    static readonly DateTimeOffset Died = new(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(8));
    static readonly CustodyTimeRules Rules = CustodyTimeRules.Guangdong;

    [Fact]
    public void Cremation_is_due_72_hours_after_death_and_24_for_an_infectious_disease()
    {
        Assert.Equal(Died.AddHours(72), CustodyDeadlines.Of(Died, false, CustodyStep.ColdStorage, Rules, Died).Single(d => d.Kind == DeadlineKind.Cremation).Due);
        Assert.Equal(Died.AddHours(24), CustodyDeadlines.Of(Died, true, CustodyStep.ColdStorage, Rules, Died).Single(d => d.Kind == DeadlineKind.Cremation).Due);
        Assert.Equal(Died.AddDays(90), CustodyDeadlines.Of(Died, false, CustodyStep.ColdStorage, Rules, Died).Single(d => d.Kind == DeadlineKind.Preservation).Due);
    }

    [Fact]
    public void A_deadline_is_approaching_within_the_alert_lead_time_and_overdue_after_it()
    {
        DeadlineState At(double hours) => CustodyDeadlines.Of(Died, false, CustodyStep.Transport, Rules, Died.AddHours(hours)).Single(d => d.Kind == DeadlineKind.Cremation).State;
        Assert.Equal(DeadlineState.OnTrack, At(59.9));
        Assert.Equal(DeadlineState.Approaching, At(60));
        Assert.Equal(DeadlineState.Approaching, At(71.9));
        Assert.Equal(DeadlineState.Overdue, At(72));
        Assert.Equal(DeadlineState.Overdue, CustodyDeadlines.Worst(CustodyDeadlines.Of(Died, false, CustodyStep.Transport, Rules, Died.AddHours(80))));
    }

    [Theory]
    [InlineData(CustodyStep.Cremation)]
    [InlineData(CustodyStep.Release)]
    [InlineData(CustodyStep.Placement)]
    public void Nothing_runs_after_cremation(CustodyStep step) =>
        Assert.Empty(CustodyDeadlines.Of(Died, true, step, Rules, Died.AddDays(200)));

    [Fact]
    public void Tags_are_numbered_per_site_and_year()
    {
        Assert.Equal("GZBY-2026-000123", BodyTag.Format("GZBY", 2026, 123));
        Assert.True(BodyTag.IsWellFormed("GZBY-2026-000123"));
        Assert.False(BodyTag.IsWellFormed("gzby-2026-000123"));
        Assert.False(BodyTag.IsWellFormed("GZBY-26-000123"));
        Assert.DoesNotContain("4401", BodyTag.QrText("GZBY-2026-000123", "01JBODY0000000000000000000"));
    }
}
