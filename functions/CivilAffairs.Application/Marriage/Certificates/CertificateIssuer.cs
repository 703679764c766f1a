using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Certificates.Platform;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QRCoder;

namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>
/// Signs marriage and divorce certificates (<see cref="ICertificateIssuer"/>): places each in a status list, builds the QR
/// payload (number, kind, names masked with <see cref="Masking.MaskName"/>, date, office, status list and index, key id),
/// signs it with the current SM2 key and stores it under its number — a repeat returns the stored certificate. State
/// changes flip the certificate's status entry, re-sign and republish its list. A revoked certificate (replaced) stays
/// revoked: any later state asked for it is a no-op.
/// </summary>
public sealed class CertificateIssuer(CertificateRepository certificates, StatusListRepository lists, CertificateSigningKeys signing,
    IOptions<CertificateOptions> options, TimeProvider clock, ILogger<CertificateIssuer> logger) : ICertificateIssuer
{
    public async Task<IssuedCertificate> IssueAsync(CertificateIssueRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        if (await certificates.FindAsync(request.CertificateNumber, cancellationToken) is { } existing)
            return SameRecord(existing, request).ToIssued();

        var key = (await signing.GetAsync(cancellationToken)).RequireCurrent();
        var entry = await lists.AllocateAsync(cancellationToken);
        var payload = new CertificatePayload(
            request.CertificateNumber,
            request.Kind == CertificateKind.Marriage ? CertificatePayload.MarriageKind : CertificatePayload.DivorceKind,
            [.. request.PartyNames.Select(n => Masking.MaskName(n.Trim())!)],
            request.RegisteredOn,
            request.OfficeId,
            entry.ListId,
            entry.Index,
            key.KeyId);
        var record = new CertificateRecord(request.CertificateNumber, request.Kind, request.RecordId, request.OfficeId, request.RegisteredOn,
            key.KeyId, entry.ListId, entry.Index, CertificateQr.Sign(payload, key), CertificateState.Valid, clock.GetUtcNow(), null);
        if (await certificates.TryAddAsync(record, cancellationToken))
        {
            logger.LogInformation("Issued {Kind} certificate {Number} in status list {ListId} with key {KeyId}", request.Kind, request.CertificateNumber, entry.ListId, key.KeyId);
            return record.ToIssued();
        }
        // A concurrent issue of the same number won; its entry stands (ours stays allocated and valid, referenced by nothing).
        var winner = await certificates.FindAsync(request.CertificateNumber, cancellationToken)
            ?? throw new InvalidOperationException($"Certificate {request.CertificateNumber} vanished while being issued.");
        return SameRecord(winner, request).ToIssued();
    }

    public async Task<bool> SetStateAsync(string certificateNumber, CertificateState state, CancellationToken cancellationToken)
    {
        if (await certificates.FindAsync(certificateNumber, cancellationToken) is not { } record) return false;
        if (record.State == CertificateState.Revoked && state != CertificateState.Revoked) return true;
        // The list first (what verifiers see), then the record; a repeat after a failure in between completes both.
        await lists.SetAsync(new StatusEntry(record.StatusListId, record.StatusIndex), ToStatus(state), cancellationToken);
        if (record.State != state)
        {
            await certificates.SetStateAsync(certificateNumber, state, clock.GetUtcNow(), cancellationToken);
            logger.LogInformation("Certificate {Number} is now {State}", certificateNumber, state);
        }
        return true;
    }

    public async Task<IssuedCertificate?> FindAsync(string certificateNumber, CancellationToken cancellationToken) =>
        (await certificates.FindAsync(certificateNumber, cancellationToken))?.ToIssued();

    public async Task<byte[]?> QrPngAsync(string certificateNumber, CancellationToken cancellationToken)
    {
        if (await certificates.FindAsync(certificateNumber, cancellationToken) is not { } record) return null;
        return QrPng(record.QrText, options.Value.QrPixelsPerModule);
    }

    /// <summary>A PNG of <paramref name="text"/> as a QR code (error correction M, quiet zone included).</summary>
    public static byte[] QrPng(string text, int pixelsPerModule)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        return new PngByteQRCode(data).GetGraphic(Math.Clamp(pixelsPerModule, 1, 40));
    }

    internal static CertificateStatus ToStatus(CertificateState state) => state switch
    {
        CertificateState.Valid => CertificateStatus.Valid,
        CertificateState.Ended => CertificateStatus.Ended,
        CertificateState.Revoked => CertificateStatus.Revoked,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    static CertificateRecord SameRecord(CertificateRecord existing, CertificateIssueRequest request) =>
        existing.RecordId == request.RecordId && existing.Kind == request.Kind
            ? existing
            : throw new InvalidOperationException($"Certificate number {request.CertificateNumber} was already issued for another record.");

    static void Validate(CertificateIssueRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!CertificateRepository.IsValidNumber(request.CertificateNumber))
            throw new ArgumentException("A certificate number is 1–64 characters of A–Z, a–z, 0–9, '-' and '_'.", nameof(request));
        if (!Enum.IsDefined(request.Kind)) throw new ArgumentException("Unknown certificate kind.", nameof(request));
        if (string.IsNullOrWhiteSpace(request.RecordId) || request.RecordId.Length > 64) throw new ArgumentException("A record id is required (at most 64 characters).", nameof(request));
        if (string.IsNullOrWhiteSpace(request.OfficeId) || request.OfficeId.Length > 64) throw new ArgumentException("An office id is required (at most 64 characters).", nameof(request));
        if (request.PartyNames is not { Count: >= 1 and <= 4 } || request.PartyNames.Any(n => string.IsNullOrWhiteSpace(n) || n.Trim().Length > 32))
            throw new ArgumentException("One to four party names of at most 32 characters are required.", nameof(request));
    }
}
