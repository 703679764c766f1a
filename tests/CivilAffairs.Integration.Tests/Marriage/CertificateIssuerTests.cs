using System.Buffers.Text;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// The certificate issuer as the marriage registry uses it (<see cref="ICertificateIssuer"/> resolved from the running
/// runtime, on Azurite): signs, is idempotent per number, places certificates in status lists, flips states and republishes
/// the list (table and blob), finds certificates and renders their QR as PNG.
/// </summary>
public sealed class CertificateIssuerTests(CertificateFixture fx) : IClassFixture<CertificateFixture>
{
    async Task<PublishedKey[]> KeysAsync() =>
        [.. (await fx.Runtime.Services.GetRequiredService<CertificateSigningKeys>().GetAsync(CancellationToken.None)).Published];

    async Task<StatusListDocument> ListAsync(string listId) =>
        (await fx.Runtime.Services.GetRequiredService<StatusListRepository>().FindAsync(listId, CancellationToken.None))!;

    [Fact]
    public async Task Issue_signs_a_QR_that_verifies_offline_with_masked_names_only()
    {
        var number = CertificateFixture.NewNumber();

        var issued = await fx.Issuer.IssueAsync(CertificateFixture.Request(number), CancellationToken.None);

        Assert.Equal(number, issued.CertificateNumber);
        var keys = await KeysAsync();
        Assert.Equal(issued.KeyId, Assert.Single(keys).Kid);
        var result = CertificateVerifier.Verify(issued.QrText, keys, await ListAsync(issued.StatusListId));
        Assert.Equal(VerificationOutcome.Valid, result.Outcome);
        Assert.Equal(["张*", "欧阳**"], result.Certificate!.MaskedNames);
        Assert.Equal("office-440106", result.Certificate.OfficeId);
        Assert.Equal(issued.StatusIndex, result.Certificate.StatusIndex);
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(issued.QrText.Split('.')[1]));
        Assert.DoesNotContain("张伟", payload);
        Assert.DoesNotContain("娜娜", payload);
    }

    [Fact]
    public async Task Issuing_the_same_number_again_returns_the_same_certificate_even_concurrently()
    {
        var number = CertificateFixture.NewNumber();

        var all = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fx.Issuer.IssueAsync(CertificateFixture.Request(number), CancellationToken.None)));
        var again = await fx.Issuer.IssueAsync(CertificateFixture.Request(number), CancellationToken.None);

        Assert.All(all, c => Assert.Equal(again, c));
        Assert.Equal(again, await fx.Issuer.FindAsync(number, CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => fx.Issuer.IssueAsync(CertificateFixture.Request(number, recordId: "another-record"), CancellationToken.None));
    }

    [Fact]
    public async Task Certificates_get_distinct_entries_and_a_full_list_opens_a_new_one()
    {
        var issued = new List<IssuedCertificate>();
        for (var i = 0; i < CertificateFixture.CertificatesPerList * 2 + 1; i++)
            issued.Add(await fx.Issuer.IssueAsync(CertificateFixture.Request(CertificateFixture.NewNumber()), CancellationToken.None));

        Assert.Equal(issued.Count, issued.Select(c => (c.StatusListId, c.StatusIndex)).Distinct().Count());
        Assert.True(issued.Select(c => c.StatusListId).Distinct().Count() >= 2, "a list holds at most CertificatesPerList certificates");
        Assert.All(issued.GroupBy(c => c.StatusListId), g => Assert.True(g.Count() <= CertificateFixture.CertificatesPerList));
        Assert.All(issued, c => Assert.InRange(c.StatusIndex, 0, StatusBitstring.DefaultSize - 1));
    }

    [Fact]
    public async Task SetState_flips_the_entry_re_signs_a_new_version_and_republishes_table_and_blob()
    {
        var issued = await fx.Issuer.IssueAsync(CertificateFixture.Request(CertificateFixture.NewNumber()), CancellationToken.None);
        var before = await ListAsync(issued.StatusListId);

        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Ended, CancellationToken.None));

        var after = await ListAsync(issued.StatusListId);
        Assert.True(after.Version > before.Version);
        var keys = await KeysAsync();
        Assert.Equal(VerificationOutcome.Ended, CertificateVerifier.Verify(issued.QrText, keys, after).Outcome);
        Assert.Equal(VerificationOutcome.Valid, CertificateVerifier.Verify(issued.QrText, keys, before).Outcome); // an old cached copy still says valid
        var blob = new BlobServiceClient(fx.Azurite.ConnectionString).GetBlobContainerClient(CertificateStorage.StatusListContainer).GetBlobClient($"{issued.StatusListId}.json");
        var mirrored = StatusListDocument.Parse((await blob.DownloadContentAsync()).Value.Content.ToString())!;
        Assert.Equal(after.Version, mirrored.Version);
        Assert.Equal(VerificationOutcome.Ended, CertificateVerifier.Verify(issued.QrText, keys, mirrored).Outcome);

        // Idempotent: the same state again changes nothing.
        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Ended, CancellationToken.None));
        Assert.Equal(after.Version, (await ListAsync(issued.StatusListId)).Version);

        // Replaced → revoked, and a revoked certificate stays revoked.
        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Revoked, CancellationToken.None));
        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Valid, CancellationToken.None));
        Assert.Equal(VerificationOutcome.Revoked, CertificateVerifier.Verify(issued.QrText, keys, await ListAsync(issued.StatusListId)).Outcome);
        var row = await new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient(CertificateStorage.CertificatesTable)
            .GetEntityAsync<TableEntity>(issued.CertificateNumber, "certificate");
        Assert.Equal("Revoked", row.Value.GetString("State"));
    }

    [Fact]
    public async Task Flips_of_certificates_in_one_list_do_not_lose_each_other()
    {
        var issued = new List<IssuedCertificate>();
        for (var i = 0; i < 3; i++) issued.Add(await fx.Issuer.IssueAsync(CertificateFixture.Request(CertificateFixture.NewNumber()), CancellationToken.None));
        var sameList = issued.Where(c => c.StatusListId == issued[^1].StatusListId).ToList();

        await Task.WhenAll(sameList.Select(c => fx.Issuer.SetStateAsync(c.CertificateNumber, CertificateState.Ended, CancellationToken.None)));

        var list = await ListAsync(sameList[0].StatusListId);
        var keys = await KeysAsync();
        Assert.All(sameList, c => Assert.Equal(VerificationOutcome.Ended, CertificateVerifier.Verify(c.QrText, keys, list).Outcome));
    }

    [Fact]
    public async Task Unknown_numbers_are_no_ops_and_the_QR_PNG_is_a_PNG_for_known_ones()
    {
        Assert.False(await fx.Issuer.SetStateAsync("J000000-0000-NOSUCH", CertificateState.Ended, CancellationToken.None));
        Assert.Null(await fx.Issuer.FindAsync("J000000-0000-NOSUCH", CancellationToken.None));
        Assert.Null(await fx.Issuer.QrPngAsync("J000000-0000-NOSUCH", CancellationToken.None));
        Assert.Null(await fx.Issuer.FindAsync("../../etc", CancellationToken.None));

        var issued = await fx.Issuer.IssueAsync(CertificateFixture.Request(CertificateFixture.NewNumber(), CertificateKind.Divorce), CancellationToken.None);
        var png = await fx.Issuer.QrPngAsync(issued.CertificateNumber, CancellationToken.None);

        Assert.NotNull(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
        Assert.True(png.Length > 500);
        await Assert.ThrowsAsync<ArgumentException>(() => fx.Issuer.IssueAsync(CertificateFixture.Request("bad/number"), CancellationToken.None));
    }
}
