using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Domain.Funeral.Custody;

namespace CivilAffairs.Application.Tests.Funeral.Custody;

/// <summary>The custody ledger is chained with the platform's SM3 (the audit log's hash), over the entry's canonical text.</summary>
public sealed class CustodyLedgerHashTests
{
    static LedgerEntry Entry(long sequence, CustodyStep step) => new()
    {
        BodyId = "01JBODY0000000000000000000", Sequence = sequence, Step = step, Location = "冷藏柜 C-12",
        At = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(8)), HandedBy = "funeral-staff-a", ReceivedBy = "funeral-staff-b",
        SiteId = "gz-funeral-home", ConfirmedAt = new DateTimeOffset(2026, 12, 1, 10, 5, 0, TimeSpan.FromHours(8)), PreviousHash = "", Hash = "",
    };

    [Fact]
    public void Entries_are_sealed_with_SM3_of_their_canonical_text_and_the_previous_hash()
    {
        var first = CustodyChain.Seal(Entry(1, CustodyStep.Intake), CustodyChain.Genesis, Sm3.HashHex);
        var second = CustodyChain.Seal(Entry(2, CustodyStep.Transport), first.Hash, Sm3.HashHex);
        Assert.Equal(Sm3.HashHex((first with { Hash = "" }).Canonical()), first.Hash);
        Assert.Equal(64, second.Hash.Length);
        Assert.Contains(first.Hash, (second with { Hash = "" }).Canonical());
        Assert.True(CustodyChain.Verify([first, second], 2, second.Hash, Sm3.HashHex).Valid);
        // The same instant in another offset is the same entry.
        Assert.Equal(first.Hash, CustodyChain.Seal(Entry(1, CustodyStep.Intake) with { At = first.At.ToUniversalTime() }, CustodyChain.Genesis, Sm3.HashHex).Hash);
    }
}
