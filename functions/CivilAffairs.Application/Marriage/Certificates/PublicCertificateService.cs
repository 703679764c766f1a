using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>The body of an online check: the text the certificate's QR code carries.</summary>
public sealed record CertificateVerifyRequest(string? Qr);

/// <summary>What a certificate QR shows (names masked), as the online check answers it.</summary>
public sealed record VerifiedCertificateView(
    string CertificateNumber, string Kind, IReadOnlyList<string> MaskedNames, DateOnly RegisteredOn, string OfficeId,
    string StatusListId, int StatusIndex, string KeyId);

/// <summary>
/// The verdict of an online check: <c>valid</c>, <c>ended</c>, <c>revoked</c>, <c>signatureInvalid</c>, <c>unknownKey</c>,
/// <c>malformed</c> or <c>statusUnavailable</c>, a Chinese reason, and what the certificate shows when it is authentic.
/// </summary>
public sealed record CertificateVerificationView(
    VerificationOutcome Outcome, bool Authentic, string Reason, VerifiedCertificateView? Certificate, long? StatusListVersion);

/// <summary>
/// What the public may read about certificates, without an account: the verification keys, the signed status lists and an
/// online check (the same <see cref="CertificateVerifier"/> a verifier runs offline). No personal data beyond the masked
/// names a QR already shows; cacheable; rate-limited per client by the access guard like every public endpoint.
/// </summary>
public sealed class PublicCertificateService(CertificateSigningKeys signing, StatusListRepository lists, IOptions<CertificateOptions> options)
{
    /// <summary>The published verification keys (current and retired), cacheable, with an ETag over their content.</summary>
    public async Task<Result<PublishedKeySet>> KeysAsync(CallContext call)
    {
        var keys = (await signing.GetAsync(call.Cancellation)).Published;
        var set = new PublishedKeySet(keys);
        var etag = "\"" + Sm3.HashHex(string.Join('\n', keys.Select(k => $"{k.Kid}|{k.ValidFrom:O}|{k.SignsUntil:O}")))[..16] + "\"";
        return Result.Ok(set, etag).Cached(options.Value.KeysCacheSeconds);
    }

    /// <summary>A status list as signed and published, with its version as ETag.</summary>
    public async Task<Result<StatusListDocument>> StatusListAsync(CallContext call, string listId)
    {
        if (await lists.FindAsync(listId, call.Cancellation) is not { } document) return NotFound();
        return Result.Ok(document, $"\"{document.ListId}.{document.Version}\"").Cached(options.Value.StatusListCacheSeconds);
    }

    /// <summary>Checks a QR text online against the published keys and its current status list.</summary>
    public async Task<Result<CertificateVerificationView>> VerifyAsync(CallContext call, CertificateVerifyRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Qr))
            return Problem.Invalid("qr", "请提供证书二维码的内容。");
        if (request.Qr.Length > CertificateQr.MaxLength)
            return Problem.Invalid("qr", $"二维码内容不能超过 {CertificateQr.MaxLength} 个字符。");
        var keys = (await signing.GetAsync(call.Cancellation)).Published;
        var listId = CertificateQr.TryParse(request.Qr)?.Payload.StatusListId;
        var list = listId is null ? null : await lists.FindAsync(listId, call.Cancellation);
        var verdict = CertificateVerifier.Verify(request.Qr, keys, list);
        var shown = verdict.Certificate is { } c
            ? new VerifiedCertificateView(c.CertificateNumber, c.Kind, c.MaskedNames, c.RegisteredOn, c.OfficeId, c.StatusListId, c.StatusIndex, c.KeyId)
            : null;
        return Result.Ok(new CertificateVerificationView(verdict.Outcome, verdict.Authentic, verdict.Reason, shown, shown is null ? null : list?.Version));
    }

    static Problem NotFound() => Problem.NotFound("STATUS_LIST_NOT_FOUND", "状态列表不存在", "没有该编号的证书状态列表，请核对二维码中的状态列表编号。");
}
