using CivilAffairs.Certificates.Platform;

namespace CivilAffairs.Certificates.Marriage;

/// <summary>What an offline check of a certificate QR concluded.</summary>
public enum VerificationOutcome
{
    /// <summary>Signed by a published key, untouched, and the status list says valid.</summary>
    Valid,
    /// <summary>Authentic, but the marriage it records has ended (divorce, annulment by a court, death of a spouse).</summary>
    Ended,
    /// <summary>Authentic, but replaced by a new certificate (补领) and revoked.</summary>
    Revoked,
    /// <summary>The signature does not match: forged or altered.</summary>
    SignatureInvalid,
    /// <summary>Signed with a key id that is not among the published keys.</summary>
    UnknownKey,
    /// <summary>Not a certificate QR of this platform (prefix, shape, encoding or payload).</summary>
    Malformed,
    /// <summary>Authentic, but its current status could not be established (no list, another list, a list that fails its own check).</summary>
    StatusUnavailable,
}

/// <summary>The verdict: outcome, a Chinese reason for the person checking, and what the QR says when it was authentic.</summary>
public sealed record CertificateVerification(VerificationOutcome Outcome, string Reason, CertificatePayload? Certificate)
{
    /// <summary>True when the signature verified with a published key (whatever the status).</summary>
    public bool Authentic => Outcome is VerificationOutcome.Valid or VerificationOutcome.Ended or VerificationOutcome.Revoked or VerificationOutcome.StatusUnavailable;
}

/// <summary>
/// Checks a scanned certificate QR <b>offline</b>: with the published keys (<c>GET /api/public/keys</c>, saved) and,
/// optionally, the certificate's status list (<c>GET /api/public/marriage/status-lists/{listId}</c>, cached), it needs no
/// network, no platform account and tells nobody who is being checked. Steps: parse (<c>malformed</c>) → find the key by
/// <c>kid</c> (<c>unknown key id</c>) → SM2 signature (<c>signature invalid</c>) → the status list's own signature and the
/// certificate's entry (<c>valid</c> / <c>ended</c> / <c>revoked</c>, or <c>status unavailable</c>).
/// </summary>
public static class CertificateVerifier
{
    public static CertificateVerification Verify(string? qrText, IEnumerable<PublishedKey> publishedKeys, StatusListDocument? statusList = null)
    {
        ArgumentNullException.ThrowIfNull(publishedKeys);
        var keys = publishedKeys as IReadOnlyCollection<PublishedKey> ?? publishedKeys.ToList();

        if (CertificateQr.TryParse(qrText) is not { } qr)
            return new(VerificationOutcome.Malformed, "二维码内容无法识别：不是本平台签发的婚姻登记证书二维码，或内容不完整。", null);
        var payload = qr.Payload;

        var published = keys.FirstOrDefault(k => k.Kid == payload.KeyId);
        if (published is null)
            return new(VerificationOutcome.UnknownKey, $"签发密钥（{payload.KeyId}）不在公布的验证密钥中，无法确认真伪。请更新验证密钥后重试；仍无法验证的，请向婚姻登记机关核实。", null);
        if (published.ToSm2() is not { } key)
            return new(VerificationOutcome.UnknownKey, $"公布的验证密钥（{payload.KeyId}）格式不受支持，无法确认真伪。", null);
        if (!key.Verify(qr.SignedBytes, qr.Signature))
            return new(VerificationOutcome.SignatureInvalid, "签名验证失败：二维码内容与民政部门的签名不符，证书可能被伪造或篡改。", null);

        if (statusList is null)
            return new(VerificationOutcome.StatusUnavailable, "签名有效，证书内容真实；但未提供状态列表，无法确认该证书当前是否仍然有效。", payload);
        if (statusList.ListId != payload.StatusListId)
            return new(VerificationOutcome.StatusUnavailable, $"签名有效；但所给状态列表（{statusList.ListId}）不是该证书的状态列表（{payload.StatusListId}），无法确认当前状态。", payload);
        switch (statusList.Check(keys, out var bits))
        {
            case StatusListCheck.UnknownKey:
                return new(VerificationOutcome.StatusUnavailable, "签名有效；但状态列表的签发密钥不在公布的验证密钥中，无法确认当前状态。", payload);
            case StatusListCheck.SignatureInvalid:
                return new(VerificationOutcome.StatusUnavailable, "签名有效；但状态列表的签名验证失败（可能被篡改），无法确认当前状态。请重新获取状态列表。", payload);
            case StatusListCheck.Malformed:
                return new(VerificationOutcome.StatusUnavailable, "签名有效；但状态列表格式不正确，无法确认当前状态。请重新获取状态列表。", payload);
        }
        if (payload.StatusIndex >= bits!.Size)
            return new(VerificationOutcome.StatusUnavailable, "签名有效；但证书的状态位置超出状态列表范围，无法确认当前状态。", payload);

        var what = payload.Kind == CertificatePayload.MarriageKind ? "结婚证" : "离婚证";
        return bits[payload.StatusIndex] switch
        {
            CertificateStatus.Valid => new(VerificationOutcome.Valid, $"{what}真实有效：签名验证通过，状态列表（第 {statusList.Version} 版）显示有效。", payload),
            CertificateStatus.Ended => new(VerificationOutcome.Ended, payload.Kind == CertificatePayload.MarriageKind
                ? "结婚证真实，但所记载的婚姻关系已终止（离婚、被依法宣告无效或撤销，或一方死亡），该证不再证明现存婚姻关系。"
                : "离婚证真实，但所记载的登记事项已终止，该证不再证明当前状态。", payload),
            _ => new(VerificationOutcome.Revoked, $"{what}真实，但已作废（如已补领新证），请以婚姻登记机关新发的证书为准。", payload),
        };
    }
}
