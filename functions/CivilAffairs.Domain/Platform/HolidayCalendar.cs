using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json;

namespace CivilAffairs.Domain.Platform;

/// <summary>
/// Statutory working days (法定工作日) in mainland China: Monday to Friday, minus the public holidays
/// (放假日期) and plus the weekend days made working days (调休上班日) in the arrangement the General
/// Office of the State Council (国务院办公厅) announces each year.
/// <para>
/// The arrangements ship as the embedded resource <see cref="ResourceName"/>, one entry per year with the
/// notice it was taken from. For a year with no entry the calendar falls back to Monday–Friday, which is
/// only an estimate: check <see cref="Covers(int)"/> (or <see cref="WorkingDayDeadline.IsEstimate"/>)
/// and warn the user. A new year's notice usually appears in November of the year before; add it to the
/// data file then.
/// </para>
/// Instances are immutable and safe to share between threads.
/// </summary>
public sealed class HolidayCalendar
{
    public const string ResourceName = "CivilAffairs.Domain.Platform.Data.holidays-cn.json";

    static readonly Lazy<HolidayCalendar> Embedded = new(LoadEmbedded);

    readonly FrozenSet<DateOnly> holidays;
    readonly FrozenSet<DateOnly> adjustedWorkingDays;
    readonly FrozenDictionary<int, HolidayCalendarYear> byYear;

    HolidayCalendar(IReadOnlyList<HolidayCalendarYear> years)
    {
        var holidaySet = new HashSet<DateOnly>();
        var workSet = new HashSet<DateOnly>();
        var map = new Dictionary<int, HolidayCalendarYear>();
        foreach (var y in years)
        {
            if (!map.TryAdd(y.Year, y)) throw Invalid($"year {y.Year} appears twice");
            foreach (var h in y.Holidays)
                for (var d = h.From; d <= h.To; d = d.AddDays(1))
                    if (!holidaySet.Add(d)) throw Invalid($"{d:yyyy-MM-dd} is listed in two holidays");
            foreach (var w in y.AdjustedWorkingDays)
            {
                if (!IsWeekend(w.Date)) throw Invalid($"adjusted working day {w.Date:yyyy-MM-dd} ({w.Name}) is not a Saturday or Sunday");
                if (!workSet.Add(w.Date)) throw Invalid($"adjusted working day {w.Date:yyyy-MM-dd} is listed twice");
            }
        }
        var clash = holidaySet.Intersect(workSet).Order().ToList();
        if (clash.Count > 0) throw Invalid($"{clash[0]:yyyy-MM-dd} is both a holiday and an adjusted working day");

        holidays = holidaySet.ToFrozenSet();
        adjustedWorkingDays = workSet.ToFrozenSet();
        byYear = map.ToFrozenDictionary();
        Years = [.. map.Keys.Order()];
        Arrangements = [.. map.Values.OrderBy(y => y.Year)];
    }

    /// <summary>The calendar from the embedded data file, loaded once.</summary>
    public static HolidayCalendar Default => Embedded.Value;

    /// <summary>Years with an announced arrangement, ascending.</summary>
    public IReadOnlyList<int> Years { get; }

    /// <summary>The arrangements with their sources, ascending by year.</summary>
    public IReadOnlyList<HolidayCalendarYear> Arrangements { get; }

    /// <summary>True when the arrangement for <paramref name="year"/> is in the data; otherwise the calendar estimates Monday–Friday.</summary>
    public bool Covers(int year) => byYear.ContainsKey(year);

    /// <summary>True when every year from <paramref name="from"/> to <paramref name="to"/> (either order) is covered.</summary>
    public bool Covers(DateOnly from, DateOnly to)
    {
        var (lo, hi) = from <= to ? (from.Year, to.Year) : (to.Year, from.Year);
        for (var y = lo; y <= hi; y++)
            if (!Covers(y)) return false;
        return true;
    }

    /// <summary>The notice the year's dates come from, or null when the year is not covered.</summary>
    public string? SourceOf(int year) => byYear.TryGetValue(year, out var y) ? y.Source : null;

    /// <summary>A public holiday in the announced arrangement (weekend days inside a holiday period included).</summary>
    public bool IsHoliday(DateOnly date) => holidays.Contains(date);

    /// <summary>A Saturday or Sunday the arrangement makes a working day (调休上班).</summary>
    public bool IsAdjustedWorkingDay(DateOnly date) => adjustedWorkingDays.Contains(date);

    /// <summary>
    /// A statutory working day: not a holiday, and either Monday–Friday or an adjusted working day.
    /// In a year that is not <see cref="Covers(int)">covered</see> this is plain Monday–Friday.
    /// </summary>
    public bool IsWorkingDay(DateOnly date) =>
        !holidays.Contains(date) && (!IsWeekend(date) || adjustedWorkingDays.Contains(date));

    /// <summary>Holidays falling on Monday–Friday within <c>(from, to]</c>; used for counting without a day-by-day walk.</summary>
    internal int WeekdayHolidaysIn(DateOnly fromExclusive, DateOnly toInclusive) =>
        holidays.Count(d => d > fromExclusive && d <= toInclusive && !IsWeekend(d));

    /// <summary>Adjusted working days within <c>(from, to]</c>.</summary>
    internal int AdjustedWorkingDaysIn(DateOnly fromExclusive, DateOnly toInclusive) =>
        adjustedWorkingDays.Count(d => d > fromExclusive && d <= toInclusive);

    internal static bool IsWeekend(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;

    /// <summary>Loads the embedded data file. Use <see cref="Default"/> unless a fresh instance is needed.</summary>
    public static HolidayCalendar LoadEmbedded()
    {
        using var stream = typeof(HolidayCalendar).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from {typeof(HolidayCalendar).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return FromJson(reader.ReadToEnd());
    }

    /// <summary>Parses a data file of the same shape as the embedded one (see Platform/Data/holidays-cn.json).</summary>
    /// <exception cref="FormatException">The data is malformed or inconsistent.</exception>
    public static HolidayCalendar FromJson(string json)
    {
        HolidayFile? file;
        try
        {
            file = JsonSerializer.Deserialize<HolidayFile>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Holiday calendar data is not valid: {e.Message}", e);
        }
        if (file?.Years is null) throw Invalid("no \"years\" array");
        return new HolidayCalendar([.. file.Years.Select(ToYear)]);
    }

    /// <summary>A calendar with no announced years: every date falls back to Monday–Friday.</summary>
    public static HolidayCalendar WeekdaysOnly { get; } = new([]);

    static HolidayCalendarYear ToYear(YearDto y)
    {
        if (y.Year is < 1 or > 9999) throw Invalid($"year {y.Year} is out of range");
        if (string.IsNullOrWhiteSpace(y.Source)) throw Invalid($"year {y.Year} has no source");
        var holidays = (y.Holidays ?? []).Select(h =>
        {
            if (h.From is not { } from || h.To is not { } to) throw Invalid($"a {y.Year} holiday ({h.Name}) lacks from/to");
            if (to < from) throw Invalid($"{y.Year} holiday {h.Name} ends before it starts");
            var length = to.DayNumber - from.DayNumber + 1;
            if (h.Days is { } days && days != length)
                throw Invalid($"{y.Year} holiday {h.Name} runs {length} days from {from:yyyy-MM-dd} to {to:yyyy-MM-dd} but says {days}");
            return new HolidayPeriod(h.Name ?? "", from, to);
        }).ToList();
        var work = (y.AdjustedWorkingDays ?? []).Select(w =>
            w.Date is { } d ? new AdjustedWorkingDay(w.Name ?? "", d) : throw Invalid($"a {y.Year} adjusted working day ({w.Name}) lacks a date")).ToList();
        return new HolidayCalendarYear(y.Year, y.Source, y.Published, holidays, work);
    }

    static FormatException Invalid(string why) => new($"Holiday calendar data is not valid: {why}.");

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    sealed record HolidayFile(List<YearDto>? Years);
    sealed record YearDto(int Year, string? Source, DateOnly? Published, List<HolidayDto>? Holidays, List<WorkDto>? AdjustedWorkingDays);
    sealed record HolidayDto(string? Name, DateOnly? From, DateOnly? To, int? Days);
    sealed record WorkDto(string? Name, DateOnly? Date);
}

/// <summary>One year's arrangement as announced, with the notice it comes from.</summary>
public sealed record HolidayCalendarYear(
    int Year,
    string Source,
    DateOnly? Published,
    IReadOnlyList<HolidayPeriod> Holidays,
    IReadOnlyList<AdjustedWorkingDay> AdjustedWorkingDays);

/// <summary>A holiday period (放假), both ends inclusive.</summary>
public sealed record HolidayPeriod(string Name, DateOnly From, DateOnly To);

/// <summary>A weekend day made a working day (调休上班).</summary>
public sealed record AdjustedWorkingDay(string Name, DateOnly Date);
