using CivilAffairs.Domain.Marriage;

namespace CivilAffairs.Application.Marriage;

/// <summary>Settings of the marriage area (section <c>Marriage</c>, e.g. <c>Marriage__Divorce__CoolingOff</c>).</summary>
public sealed class MarriageOptions
{
    public const string SectionName = "Marriage";

    public BookingSettings Booking { get; set; } = new();
    public DivorceSettings Divorce { get; set; } = new();
    public ArchiveSettings Archive { get; set; } = new();

    public BookingTerms BookingTerms => new(Math.Clamp(Booking.HorizonDays, 1, 366), Math.Max(0, Booking.MaxReschedules),
        Math.Max(1, Booking.NoShowLimit), Math.Max(1, Booking.NoShowWindowDays), Math.Max(0, Booking.NoShowBlockDays));

    public DivorceTerms DivorceTerms => new(Positive(Divorce.CoolingOff, DivorceTerms.Statutory.CoolingOff), Positive(Divorce.AppearanceWindow, DivorceTerms.Statutory.AppearanceWindow));

    static TimeSpan Positive(TimeSpan value, TimeSpan fallback) => value > TimeSpan.Zero ? value : fallback;

    /// <summary>The institutions configured, or the one-machine demo's court and notary office when none is.</summary>
    public static Dictionary<string, ArchiveInstitution> DemoInstitutions() => new(StringComparer.Ordinal)
    {
        ["court-tianhe"] = new() { Name = "广州市天河区人民法院", Kind = InstitutionKind.Court },
        ["notary-guangzhou"] = new() { Name = "广州市南方公证处", Kind = InstitutionKind.Notary },
    };
}

public sealed class BookingSettings
{
    /// <summary>How many days ahead a slot can be booked. Default 30.</summary>
    public int HorizonDays { get; set; } = BookingTerms.Default.HorizonDays;
    public int MaxReschedules { get; set; } = BookingTerms.Default.MaxReschedules;
    /// <summary>No-shows within <see cref="NoShowWindowDays"/> that block online booking for <see cref="NoShowBlockDays"/>.</summary>
    public int NoShowLimit { get; set; } = BookingTerms.Default.NoShowLimit;
    public int NoShowWindowDays { get; set; } = BookingTerms.Default.NoShowWindowDays;
    public int NoShowBlockDays { get; set; } = BookingTerms.Default.NoShowBlockDays;
}

public sealed class DivorceSettings
{
    /// <summary>离婚冷静期: 30 days by law (Civil Code Art. 1077); shortened for tests and the demo.</summary>
    public TimeSpan CoolingOff { get; set; } = DivorceTerms.Statutory.CoolingOff;
    /// <summary>The window after the cooling-off in which both must appear: 30 days by law.</summary>
    public TimeSpan AppearanceWindow { get; set; } = DivorceTerms.Statutory.AppearanceWindow;
}

public enum InstitutionKind { Court, Notary }

/// <summary>An institution authorised to query the marriage archive (its code is its accounts' channel).</summary>
public sealed class ArchiveInstitution
{
    public string Name { get; set; } = "";
    public InstitutionKind Kind { get; set; } = InstitutionKind.Court;
}

public sealed class ArchiveSettings
{
    /// <summary>Authorised institutions by code (<c>Marriage__Archive__Institutions__court-tianhe__Name</c>, <c>…__Kind</c>).</summary>
    public Dictionary<string, ArchiveInstitution> Institutions { get; set; } = new(StringComparer.Ordinal);
}
