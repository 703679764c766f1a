using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Storage.Blobs;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// The public side over real HTTP, as a verifier would use it: fetch the published keys and a certificate's status list once
/// (cacheable, ETag, 304), verify a QR offline with them; after the registry ends the marriage (<see cref="ICertificateIssuer.SetStateAsync"/>)
/// the re-fetched list says ended. Plus the online check and its bad input.
/// </summary>
public sealed class PublicCertificateTests(CertificateFixture fx) : IClassFixture<CertificateFixture>
{
    async Task<IssuedCertificate> IssueAsync(CertificateKind kind = CertificateKind.Marriage) =>
        await fx.Issuer.IssueAsync(CertificateFixture.Request(CertificateFixture.NewNumber(), kind), CancellationToken.None);

    async Task<(PublishedKeySet Keys, HttpResponseMessage Response)> KeysAsync()
    {
        var response = await fx.Http.GetAsync("api/public/keys");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (PublishedKeySet.Parse(await response.Content.ReadAsStringAsync())!, response);
    }

    async Task<(StatusListDocument List, HttpResponseMessage Response)> ListAsync(string listId, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/public/marriage/status-lists/{listId}");
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        var response = await fx.Http.SendAsync(request);
        return (response.StatusCode == HttpStatusCode.OK ? StatusListDocument.Parse(await response.Content.ReadAsStringAsync())! : null!, response);
    }

    [Fact]
    public async Task Published_keys_describe_the_SM2_key_are_cacheable_and_answer_304_when_unchanged()
    {
        var (set, response) = await KeysAsync();

        var key = Assert.Single(set.Keys);
        Assert.Equal(("SM2-SM3", "sm2p256v1", "1234567812345678"), (key.Algorithm, key.Curve, key.UserId));
        Assert.Matches("^sm2-", key.Kid);
        Assert.Null(key.SignsUntil);
        Assert.NotNull(key.ToSm2());
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        var etag = response.Headers.ETag!.ToString();

        using var again = new HttpRequestMessage(HttpMethod.Get, "api/public/keys");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var notModified = await fx.Http.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(etag, notModified.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task A_QR_verifies_offline_with_what_the_public_endpoints_served_and_a_flip_shows_after_SetState()
    {
        var issued = await IssueAsync();
        var (set, _) = await KeysAsync();
        var (list, response) = await ListAsync(issued.StatusListId);

        Assert.Equal(VerificationOutcome.Valid, CertificateVerifier.Verify(issued.QrText, set.Keys, list).Outcome);
        Assert.Equal("public, max-age=30", response.Headers.CacheControl?.ToString());
        var etag = response.Headers.ETag!.ToString();
        Assert.Equal($"\"{list.ListId}.{list.Version}\"", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await ListAsync(issued.StatusListId, etag)).Response.StatusCode);

        // The registry ends the marriage: the list is re-signed as a new version; the old ETag no longer matches.
        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Ended, CancellationToken.None));
        var (flipped, changed) = await ListAsync(issued.StatusListId, etag);

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.True(flipped.Version > list.Version);
        Assert.NotEqual(etag, changed.Headers.ETag!.ToString());
        var verdict = CertificateVerifier.Verify(issued.QrText, set.Keys, flipped);
        Assert.Equal(VerificationOutcome.Ended, verdict.Outcome);
        Assert.Contains("婚姻关系已终止", verdict.Reason);

        // The static blob holds the same signed document.
        var blob = new BlobServiceClient(fx.Azurite.ConnectionString).GetBlobContainerClient(CertificateStorage.StatusListContainer)
            .GetBlobClient($"{issued.StatusListId}.json");
        var stored = (await blob.DownloadContentAsync()).Value;
        var mirrored = StatusListDocument.Parse(stored.Content.ToString())!;
        Assert.Equal((flipped.Version, flipped.EncodedList, flipped.Signature), (mirrored.Version, mirrored.EncodedList, mirrored.Signature));
        Assert.Equal("application/json", stored.Details.ContentType);
    }

    [Fact]
    public async Task The_online_check_answers_each_outcome_with_a_Chinese_reason()
    {
        var issued = await IssueAsync();
        var valid = await VerifyAsync(issued.QrText);
        Assert.Equal("valid", valid.GetProperty("outcome").GetString());
        Assert.True(valid.GetProperty("authentic").GetBoolean());
        Assert.Equal(issued.CertificateNumber, valid.GetProperty("certificate").GetProperty("certificateNumber").GetString());
        Assert.Equal("张*", valid.GetProperty("certificate").GetProperty("maskedNames")[0].GetString());

        var parts = issued.QrText.Split('.');
        var payload = Base64Url.DecodeFromChars(parts[1]);
        var at = payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes("office-440106"));
        payload[at + 12] = (byte)'7';
        var altered = await VerifyAsync($"{parts[0]}.{Base64Url.EncodeToString(payload)}.{parts[2]}");
        Assert.Equal("signatureInvalid", altered.GetProperty("outcome").GetString());
        Assert.False(altered.TryGetProperty("certificate", out var shown) && shown.ValueKind != System.Text.Json.JsonValueKind.Null, "a forged QR shows nothing");
        Assert.Contains("签名验证失败", altered.GetProperty("reason").GetString());

        Assert.Equal("malformed", (await VerifyAsync("https://example.com/fake")).GetProperty("outcome").GetString());

        Assert.True(await fx.Issuer.SetStateAsync(issued.CertificateNumber, CertificateState.Revoked, CancellationToken.None));
        var revoked = await VerifyAsync(issued.QrText);
        Assert.Equal("revoked", revoked.GetProperty("outcome").GetString());
        Assert.Contains("已作废", revoked.GetProperty("reason").GetString());
    }

    async Task<System.Text.Json.JsonElement> VerifyAsync(string qr)
    {
        var response = await fx.Http.PostAsJsonAsync("api/public/marriage/certificates/verify", new { qr });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    [Fact]
    public async Task Unknown_lists_and_empty_checks_answer_problem_details()
    {
        await (await fx.Http.GetAsync("api/public/marriage/status-lists/01NOSUCHLIST")).AssertProblemAsync(404, "STATUS_LIST_NOT_FOUND");
        await (await fx.Http.GetAsync("api/public/marriage/status-lists/..%2F..%2Fkeys")).AssertProblemAsync(404, "STATUS_LIST_NOT_FOUND");
        await (await fx.Http.PostAsJsonAsync("api/public/marriage/certificates/verify", new { qr = "" })).AssertProblemAsync(400, "VALIDATION_FAILED");
        await (await fx.Http.PostAsJsonAsync("api/public/marriage/certificates/verify", new { qr = new string('A', 2000) })).AssertProblemAsync(400, "VALIDATION_FAILED");
    }
}
