namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>Which certificate a registration issues (结婚证 / 离婚证).</summary>
public enum CertificateKind { Marriage, Divorce }

/// <summary>
/// A certificate's published status, as a verifier sees it in the status list:
/// <see cref="Valid"/>; <see cref="Ended"/> when the marriage ended (divorce, annulment by a court, death of a spouse);
/// <see cref="Revoked"/> when the certificate was replaced (补领) and a new number issued.
/// </summary>
public enum CertificateState { Valid, Ended, Revoked }

/// <summary>What the marriage registry asks the certificate side to sign. Names are plain; the issuer masks them in the payload.</summary>
public sealed record CertificateIssueRequest(
    CertificateKind Kind,
    string CertificateNumber,
    string RecordId,
    IReadOnlyList<string> PartyNames,
    DateOnly RegisteredOn,
    string OfficeId);

/// <summary>A signed certificate: the key that signed it, its place in a status list and the text the QR code carries.</summary>
public sealed record IssuedCertificate(
    string CertificateNumber,
    string KeyId,
    string StatusListId,
    int StatusIndex,
    string QrText);

/// <summary>
/// The port between the marriage registry (records, registration, divorce, replacement) and the certificate side
/// (SM2 signing keys, QR payloads, status lists). Implemented in <c>Marriage/Certificates</c>.
/// </summary>
public interface ICertificateIssuer
{
    /// <summary>Signs a certificate and gives it a status-list index. Idempotent per certificate number: a repeat returns the same certificate.</summary>
    Task<IssuedCertificate> IssueAsync(CertificateIssueRequest request, CancellationToken cancellationToken);

    /// <summary>Sets the certificate's state in its status list and republishes the list. Idempotent; unknown numbers are a no-op returning false.</summary>
    Task<bool> SetStateAsync(string certificateNumber, CertificateState state, CancellationToken cancellationToken);

    /// <summary>The issued certificate by number, or null.</summary>
    Task<IssuedCertificate?> FindAsync(string certificateNumber, CancellationToken cancellationToken);

    /// <summary>A PNG of the certificate's QR code (for printing on the paper certificate), or null for an unknown number.</summary>
    Task<byte[]?> QrPngAsync(string certificateNumber, CancellationToken cancellationToken);
}
