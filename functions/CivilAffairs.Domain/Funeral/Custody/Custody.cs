using System.Globalization;
using System.Text;

namespace CivilAffairs.Domain.Funeral.Custody;

/// <summary>Where the funeral home took the body over from.</summary>
public enum PickUpPlace
{
    /// <summary>A hospital (医院).</summary>
    Hospital,
    /// <summary>The deceased's or a relative's home (家中).</summary>
    Home,
}

/// <summary>The custody steps (handovers) of a body, in their allowed order.</summary>
public enum CustodyStep
{
    /// <summary>The funeral home takes the body over at the pick-up place (接运) — the first ledger entry, recorded by one staff member.</summary>
    Intake,
    /// <summary>运送.</summary>
    Transport,
    /// <summary>冷藏.</summary>
    ColdStorage,
    /// <summary>告别厅 (optional: the family may decline a farewell ceremony).</summary>
    Farewell,
    /// <summary>火化.</summary>
    Cremation,
    /// <summary>骨灰领取: the ashes released to the registered family contact (final).</summary>
    Release,
    /// <summary>骨灰安放: the ashes placed in a columbarium at a cemetery (final).</summary>
    Placement,
}

/// <summary>Why a custody rule refused: bad input, a step the state does not allow, or the wrong person.</summary>
public enum CustodyRejectionKind
{
    Invalid,
    State,
    WrongParty,
}

/// <summary>A custody rule's refusal: a stable upper-snake-case code, a Chinese reason, its kind and the input field at fault.</summary>
public sealed record CustodyRejection(string Code, string Reason, CustodyRejectionKind Kind = CustodyRejectionKind.Invalid, string? Field = null)
{
    public override string ToString() => $"{Code}: {Reason}";
}

public static class CustodySteps
{
    public static string ChineseName(this CustodyStep step) => step switch
    {
        CustodyStep.Intake => "接运",
        CustodyStep.Transport => "运送",
        CustodyStep.ColdStorage => "冷藏",
        CustodyStep.Farewell => "告别",
        CustodyStep.Cremation => "火化",
        CustodyStep.Release => "骨灰领取",
        CustodyStep.Placement => "骨灰安放",
        _ => step.ToString(),
    };

    /// <summary>The body's custody has ended (the ashes are with the family or in a columbarium).</summary>
    public static bool IsFinal(this CustodyStep step) => step is CustodyStep.Release or CustodyStep.Placement;

    /// <summary>
    /// The state machine: transport → cold storage → farewell (optional) → cremation → release or placement. Cremation directly after
    /// cold storage needs the family's decision not to hold a farewell (<paramref name="farewellWaived"/>, recorded in the ledger);
    /// the body of a person who died of an infectious disease has no farewell ceremony and is cremated straight from cold storage.
    /// Null when <paramref name="next"/> may follow <paramref name="current"/>.
    /// </summary>
    public static CustodyRejection? CheckNext(CustodyStep current, CustodyStep next, bool infectious, bool farewellWaived)
    {
        if (current.IsFinal())
            return new("CUSTODY_ENDED", "该遗体的保管已结束（骨灰已领取或已安放），不能再交接。", CustodyRejectionKind.State, "step");
        if (next == CustodyStep.Intake)
            return OutOfOrder(current, next);
        if (next == CustodyStep.Farewell && infectious)
            return new("FAREWELL_NOT_ALLOWED", "因传染病死亡的遗体不举行告别仪式，应在冷藏后直接火化。", CustodyRejectionKind.State, "step");
        var allowed = current switch
        {
            CustodyStep.Intake => next == CustodyStep.Transport,
            CustodyStep.Transport => next == CustodyStep.ColdStorage,
            CustodyStep.ColdStorage => next == CustodyStep.Farewell || next == CustodyStep.Cremation && (infectious || farewellWaived),
            CustodyStep.Farewell => next == CustodyStep.Cremation,
            CustodyStep.Cremation => next is CustodyStep.Release or CustodyStep.Placement,
            _ => false,
        };
        if (allowed) return null;
        if (current == CustodyStep.ColdStorage && next == CustodyStep.Cremation)
            return new("STEP_OUT_OF_ORDER", "冷藏后须先告别再火化；家属不举行告别仪式的，请在交接时注明 farewellWaived。", CustodyRejectionKind.State, "farewellWaived");
        return OutOfOrder(current, next);
    }

    static CustodyRejection OutOfOrder(CustodyStep current, CustodyStep next) =>
        new("STEP_OUT_OF_ORDER", $"交接环节不能跳过：当前环节为“{current.ChineseName()}”，不能进行“{next.ChineseName()}”。", CustodyRejectionKind.State, "step");

    /// <summary>
    /// The two parties of a handover must be two different people: the one who proposes it (hands over) cannot confirm it (receive).
    /// </summary>
    public static CustodyRejection? CheckParties(string handedBy, string receivedBy) =>
        string.Equals(handedBy, receivedBy, StringComparison.Ordinal)
            ? new("SAME_PARTY", "交接须由双方分别确认：移交人不能自己确认接收。", CustodyRejectionKind.WrongParty)
            : null;
}

/// <summary>One entry of a body's custody ledger: a confirmed handover, chained to the one before by its hash.</summary>
public sealed record LedgerEntry
{
    public required string BodyId { get; init; }
    public required long Sequence { get; init; }
    public required CustodyStep Step { get; init; }
    public required string Location { get; init; }
    /// <summary>When the handover took place (as the handing party stated it).</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>Who handed over (an account subject, or the pick-up place for the intake).</summary>
    public required string HandedBy { get; init; }
    /// <summary>Who received it (an account subject; for a release, <c>familyContact:</c> and the confirming account).</summary>
    public required string ReceivedBy { get; init; }
    /// <summary>The site that holds the body after this step (the cemetery after a placement).</summary>
    public required string SiteId { get; init; }
    public string? HandoverId { get; init; }
    public bool FarewellWaived { get; init; }
    public required DateTimeOffset ConfirmedAt { get; init; }
    public required string PreviousHash { get; init; }
    public required string Hash { get; init; }

    /// <summary>The text the hash commits to: every field and the previous entry's hash, unit-separated, instants in UTC to the millisecond.</summary>
    public string Canonical() => string.Join('\u001f',
        "custody.v1", BodyId, Sequence.ToString(CultureInfo.InvariantCulture), Step.ToString(), Location, Instant(At), HandedBy, ReceivedBy, SiteId,
        HandoverId ?? "", FarewellWaived ? "1" : "0", Instant(ConfirmedAt), PreviousHash);

    static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Why a chain failed verification.</summary>
public enum ChainBreak
{
    /// <summary>A sequence number is missing (an entry was deleted).</summary>
    EntryMissing,
    /// <summary>The entry's previous hash is not the hash of the entry before it.</summary>
    LinkBroken,
    /// <summary>The entry's content does not hash to its stored hash (it was altered).</summary>
    HashMismatch,
    /// <summary>The last entry is not the head the body record holds (entries were cut off or added).</summary>
    HeadMismatch,
}

public sealed record ChainVerification(bool Valid, int Checked, long? FirstBrokenSequence, ChainBreak? Problem, string? HeadHash);

/// <summary>The SM3 hash chain of a body's custody ledger (the hash function is given by the caller, SM3 in the application).</summary>
public static class CustodyChain
{
    public static readonly string Genesis = new('0', 64);

    /// <summary>The entry with its previous hash set and its hash computed.</summary>
    public static LedgerEntry Seal(LedgerEntry entry, string previousHash, Func<string, string> hash)
    {
        var linked = entry with { PreviousHash = previousHash, Hash = "" };
        return linked with { Hash = hash(linked.Canonical()) };
    }

    /// <summary>
    /// Recomputes the chain from the first entry: sequences 1, 2, … without gaps, each previous hash the hash before it (the genesis for the
    /// first), each hash the hash of its content, and the last hash the head the body record holds. The first broken link is answered.
    /// </summary>
    public static ChainVerification Verify(IReadOnlyList<LedgerEntry> entries, long headSequence, string? headHash, Func<string, string> hash)
    {
        var previous = Genesis;
        var expected = 1L;
        var count = 0;
        foreach (var e in entries.OrderBy(e => e.Sequence))
        {
            if (e.Sequence != expected) return new(false, count, expected, ChainBreak.EntryMissing, null);
            if (e.PreviousHash != previous) return new(false, count, e.Sequence, ChainBreak.LinkBroken, null);
            if (hash((e with { Hash = "" }).Canonical()) != e.Hash) return new(false, count, e.Sequence, ChainBreak.HashMismatch, null);
            previous = e.Hash;
            expected++;
            count++;
        }
        if (expected - 1 < headSequence) return new(false, count, expected, ChainBreak.EntryMissing, null);
        if (expected - 1 > headSequence || (headHash ?? Genesis) != previous) return new(false, count, expected - 1, ChainBreak.HeadMismatch, null);
        return new(true, count, null, null, previous);
    }
}

/// <summary>The time rules of custody (Guangdong defaults): cremation within 72 h of death, 24 h for an infectious disease; preservation at most 90 days.</summary>
public sealed record CustodyTimeRules(TimeSpan CremationWithin, TimeSpan InfectiousCremationWithin, TimeSpan PreservationAtMost, TimeSpan AlertBefore)
{
    public static CustodyTimeRules Guangdong { get; } = new(TimeSpan.FromHours(72), TimeSpan.FromHours(24), TimeSpan.FromDays(90), TimeSpan.FromHours(12));
}

public enum DeadlineKind
{
    /// <summary>火化时限: from the time of death.</summary>
    Cremation,
    /// <summary>遗体保存期限: from the time of death, while the body is not cremated.</summary>
    Preservation,
}

public enum DeadlineState
{
    /// <summary>More than the alert lead time left.</summary>
    OnTrack,
    /// <summary>Within the alert lead time (临近).</summary>
    Approaching,
    /// <summary>The deadline has passed (已超期).</summary>
    Overdue,
}

public sealed record CustodyDeadline(DeadlineKind Kind, DateTimeOffset Due, DeadlineState State);

public static class CustodyDeadlines
{
    /// <summary>
    /// The deadlines still running for a body that is not yet cremated: cremation (72 h, or 24 h for an infectious disease, from death) and
    /// preservation (at most 90 days from death, the outer limit when cremation is deferred, e.g. pending a judicial examination). After
    /// cremation nothing runs. Each deadline is approaching within <see cref="CustodyTimeRules.AlertBefore"/> of its due time, overdue after it.
    /// </summary>
    public static IReadOnlyList<CustodyDeadline> Of(DateTimeOffset diedAt, bool infectious, CustodyStep current, CustodyTimeRules rules, DateTimeOffset now)
    {
        if (current is CustodyStep.Cremation or CustodyStep.Release or CustodyStep.Placement) return [];
        var cremation = diedAt + (infectious ? rules.InfectiousCremationWithin : rules.CremationWithin);
        var preservation = diedAt + rules.PreservationAtMost;
        return [new(DeadlineKind.Cremation, cremation, StateOf(cremation)), new(DeadlineKind.Preservation, preservation, StateOf(preservation))];

        DeadlineState StateOf(DateTimeOffset due) => now >= due ? DeadlineState.Overdue : now >= due - rules.AlertBefore ? DeadlineState.Approaching : DeadlineState.OnTrack;
    }

    /// <summary>The most urgent state among the deadlines.</summary>
    public static DeadlineState Worst(IReadOnlyList<CustodyDeadline> deadlines) => deadlines.Count == 0 ? DeadlineState.OnTrack : deadlines.Max(d => d.State);
}

/// <summary>Body tag numbers: <c>{PREFIX}-{yyyy}-{nnnnnn}</c>, sequential per site and year (e.g. <c>GZBY-2026-000123</c>).</summary>
public static class BodyTag
{
    public static string Format(string prefix, int year, long number) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{year:D4}-{number:D6}");

    public static bool IsWellFormed(string? tag)
    {
        if (tag is null || tag.Length is < 14 or > 30) return false;
        var parts = tag.Split('-');
        return parts.Length == 3 && parts[0].Length is >= 2 and <= 8 && parts[0].All(char.IsAsciiLetterUpper)
            && parts[1].Length == 4 && parts[1].All(char.IsAsciiDigit) && parts[2].Length >= 6 && parts[2].All(char.IsAsciiDigit);
    }

    /// <summary>The text of the tag's QR code: the tag number and the body's id, nothing personal.</summary>
    public static string QrText(string tag, string bodyId) => new StringBuilder("CACUSTODY:").Append(tag).Append(':').Append(bodyId).ToString();
}
