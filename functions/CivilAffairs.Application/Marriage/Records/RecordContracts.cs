using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage.Records;

/// <summary>A certificate the record issued: which party holds it and its state as the registry set it in the status list.</summary>
/// <param name="Party">0 or 1: the party (in the record's order) whose certificate it is.</param>
/// <param name="ReplacedBy">The number of the replacement (补领) that revoked it.</param>
public sealed record CertificateEntry(string Number, CertificateKind Kind, int Party, CertificateState State, DateOnly IssuedOn, string? ReplacedBy = null);

/// <summary>A replacement started but not yet finished (the new number fixed before it is issued, so a retry resumes it).</summary>
public sealed record PendingReplacement(string OldNumber, string NewNumber, string BookingId);

/// <summary>A party as the register keeps them (SM4-encrypted with the record).</summary>
public sealed record RecordParty(string Name, string IdNumber, string? Nationality, string? Occupation);

/// <summary>A marriage record: ids, dates, state and certificates in clear; the parties encrypted (<see cref="RecordParty"/>).</summary>
public sealed record MarriageRecord(string Id, string OfficeId, string District, RecordStatus Status, DateOnly RegisteredOn, string BookingId,
    IReadOnlyList<string> PartyIndexes, IReadOnlyList<CertificateEntry> Certificates, string RegisteredBy,
    DateOnly? EndedOn = null, string? EndedBy = null, string? EndReference = null, string? DivorceId = null, PendingReplacement? Replacement = null)
{
    /// <summary>The certificates a party holds now: not revoked, of the kind the record's state calls for (after a divorce, the divorce certificates).</summary>
    public IReadOnlyList<CertificateEntry> Current => [.. Certificates.Where(c => c.State != CertificateState.Revoked
        && c.Kind == (Status == RecordStatus.Divorced ? CertificateKind.Divorce : CertificateKind.Marriage))];
}

public sealed record StoredRecord(MarriageRecord Record, IReadOnlyList<RecordParty> Parties, Azure.ETag ETag);

public sealed record CertificateView(string Number, CertificateKind Kind, string KindName, int Party, string Holder, CertificateState State, DateOnly IssuedOn,
    string? ReplacedBy, string? KeyId, string? StatusListId, int? StatusIndex, string? QrText, string QrPng);

public sealed record RecordPartyView(int Party, string Name, string IdNumber, string? Nationality, string? Occupation, bool You);

/// <summary>A record as a party (own data unmasked), the registrar or an authorised institution (unmasked, audited) sees it.</summary>
public sealed record RecordView(string Id, RecordStatus Status, string StatusName, DateOnly RegisteredOn, string OfficeId, string OfficeName,
    IReadOnlyList<RecordPartyView> Parties, IReadOnlyList<CertificateView> Certificates, DateOnly? EndedOn, string? EndReference, string? DivorceId);

public sealed record RecordList(int Count, IReadOnlyList<RecordView> Items);

public enum ArchivePurpose
{
    /// <summary>审理案件.</summary>
    Litigation,
    /// <summary>执行.</summary>
    Enforcement,
    /// <summary>办理公证.</summary>
    Notarization,
}

/// <summary>Body of <c>POST /api/marriage/archive/queries</c>: one record, by certificate number or by a party's ID number (in the body, never the URL).</summary>
/// <param name="CaseReference">The court's case number or the notary's file number (案号 / 公证案卷号).</param>
public sealed record ArchiveQuery(string? CertificateNumber, string? IdNumber, ArchivePurpose? Purpose, string? CaseReference);

/// <summary>Body of <c>POST /api/marriage/records/{id}/annulment</c> (a court's judgment that the marriage is void or annulled).</summary>
public sealed record AnnulmentRequest(string? CaseReference, DateOnly? JudgedOn);

public static class RecordNames
{
    public static string ChineseName(this RecordStatus s) => s switch
    {
        RecordStatus.Registering => "登记办理中",
        RecordStatus.Married => "婚姻存续",
        RecordStatus.Divorced => "已离婚",
        RecordStatus.EndedByDeath => "因一方死亡终止",
        _ => "经法院判决无效或撤销",
    };

    public static string ChineseName(this CertificateKind k) => k == CertificateKind.Marriage ? "结婚证" : "离婚证";
}
