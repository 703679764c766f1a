namespace CivilAffairs.Application.Marriage.Certificates;

/// <summary>Settings of the certificate side (section <c>Marriage:Certificates</c>).</summary>
public sealed class CertificateOptions
{
    /// <summary>
    /// Certificates placed in one status list (one issuance batch) before a new list is opened. Indexes are drawn at random
    /// among the list's 65,536 entries, so at most half are used.
    /// </summary>
    public int CertificatesPerList { get; set; } = 32_768;

    /// <summary>How long the public may cache a status list (seconds): how late a verifier online may learn of a change.</summary>
    public int StatusListCacheSeconds { get; set; } = 60;

    /// <summary>How long the public may cache the published keys (seconds).</summary>
    public int KeysCacheSeconds { get; set; } = 300;

    /// <summary>Pixels per QR module in the PNG for the paper certificate.</summary>
    public int QrPixelsPerModule { get; set; } = 8;
}

/// <summary>Storage names of the certificate side (no personal data in any key).</summary>
public static class CertificateStorage
{
    /// <summary>Issued certificates: PK certificate number, RK <c>certificate</c>.</summary>
    public const string CertificatesTable = "MarriageCertificates";
    /// <summary>Status lists: PK list id, RK <c>list</c> (signed document, allocation bitmap); PK/RK <c>current</c> → the list being filled.</summary>
    public const string StatusListsTable = "MarriageStatusLists";
    /// <summary>Published status lists as static blobs (<c>{listId}.json</c>), for a CDN or a static read.</summary>
    public const string StatusListContainer = "marriage-status-lists";
}
