using System.Text;

namespace CivilAffairs.Domain.Platform;

/// <summary>Sex encoded in a resident ID number (17th digit: odd = male, even = female).</summary>
public enum Sex
{
    Male,
    Female,
}

/// <summary>The check of <see cref="IdNumber.Validate"/> that rejected a number.</summary>
public enum IdNumberCheck
{
    /// <summary>Not 17 digits followed by a digit or X.</summary>
    Format,
    /// <summary>Unknown province, or rejected by the caller's division list.</summary>
    DivisionCode,
    /// <summary>Not a calendar date, before 1900-01-01 or after today.</summary>
    BirthDate,
    /// <summary>The ISO 7064 MOD 11-2 check character does not match.</summary>
    CheckDigit,
}

/// <summary>
/// Outcome of <see cref="IdNumber.Validate"/>. The members describing the number
/// (<see cref="Normalized"/>, <see cref="DivisionCode"/>, <see cref="BirthDate"/>, <see cref="Sex"/>,
/// <see cref="AgeOn"/>) are only available when <see cref="IsValid"/> is true and throw
/// <see cref="InvalidOperationException"/> otherwise. <see cref="ToString"/> never prints the number.
/// </summary>
public sealed record IdNumberResult
{
    readonly string? normalized;
    readonly DateOnly birthDate;
    readonly Sex sex;

    IdNumberResult(IdNumberCheck? failedCheck, string? message, string? normalized, DateOnly birthDate, Sex sex)
    {
        FailedCheck = failedCheck;
        Message = message;
        this.normalized = normalized;
        this.birthDate = birthDate;
        this.sex = sex;
    }

    internal static IdNumberResult Valid(string normalized, DateOnly birthDate, Sex sex) =>
        new(null, null, normalized, birthDate, sex);

    internal static IdNumberResult Invalid(IdNumberCheck check, string message) =>
        new(check, message, null, default, default);

    public bool IsValid => FailedCheck is null;

    /// <summary>The check that failed; null when valid.</summary>
    public IdNumberCheck? FailedCheck { get; }

    /// <summary>Citizen-facing reason (Simplified Chinese); null when valid.</summary>
    public string? Message { get; }

    /// <summary>The number trimmed, in half-width characters, with an upper-case X.</summary>
    public string Normalized => normalized ?? throw NotValid();

    /// <summary>The six-digit administrative division code of the place of first registration.</summary>
    public string DivisionCode => Normalized[..6];

    public DateOnly BirthDate => IsValid ? birthDate : throw NotValid();

    public Sex Sex => IsValid ? sex : throw NotValid();

    /// <summary>
    /// Age in full years on <paramref name="date"/>: a year is completed on the birthday
    /// (for 29 February, on 1 March in common years).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="date"/> is before the birth date.</exception>
    public int AgeOn(DateOnly date)
    {
        var birth = BirthDate;
        if (date < birth) throw new ArgumentOutOfRangeException(nameof(date), "The date is before the birth date.");
        var age = date.Year - birth.Year;
        if (date.Month < birth.Month || (date.Month == birth.Month && date.Day < birth.Day)) age--;
        return age;
    }

    static InvalidOperationException NotValid() => new("The ID number is not valid.");

    // Keeps the number out of logs and exception messages that format the result.
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("IsValid = ").Append(IsValid);
        if (IsValid) builder.Append(", Normalized = ").Append(Masking.MaskIdNumber(normalized));
        else builder.Append(", FailedCheck = ").Append(FailedCheck);
        return true;
    }
}

/// <summary>
/// Validation of the 18-character resident identity number (公民身份号码) of GB 11643-1999:
/// 6-digit division code, 8-digit birth date, 3-digit sequence (odd = male) and an
/// ISO 7064 MOD 11-2 check character.
/// </summary>
public static class IdNumber
{
    public const int Length = 18;

    static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const string CheckCharacters = "10X98765432";
    static readonly DateOnly Earliest = new(1900, 1, 1);

    /// <summary>Province-level codes (first two digits) of GB/T 2260, including 71 Taiwan, 81 Hong Kong, 82 Macao.</summary>
    static readonly HashSet<int> Provinces =
    [
        11, 12, 13, 14, 15,
        21, 22, 23,
        31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46,
        50, 51, 52, 53, 54,
        61, 62, 63, 64, 65,
        71, 81, 82,
    ];

    /// <summary>Trims the value, converts full-width digits and X to half-width, and upper-cases x.</summary>
    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var trimmed = value.Trim();
        return string.Create(trimmed.Length, trimmed, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    >= '０' and <= '９' => (char)('0' + (c - '０')),
                    'x' or 'Ｘ' or 'ｘ' => 'X',
                    _ => c,
                };
            }
        });
    }

    /// <summary>
    /// Validates <paramref name="value"/> (normalized first). Checks, in order: format, province code
    /// (and <paramref name="knownDivision"/> on the six-digit code, when given), birth date
    /// (a real date from 1900-01-01 to <paramref name="today"/>), check character.
    /// </summary>
    public static IdNumberResult Validate(string? value, DateOnly today, Func<string, bool>? knownDivision = null)
    {
        if (value is null) return Fail(IdNumberCheck.Format);
        var id = Normalize(value);
        if (!IsWellFormed(id)) return Fail(IdNumberCheck.Format);

        var division = id[..6];
        if (!Provinces.Contains(Digits(id, 0, 2)) || (knownDivision is not null && !knownDivision(division)))
            return Fail(IdNumberCheck.DivisionCode);

        if (!TryBirthDate(id, out var birth) || birth < Earliest || birth > today)
            return Fail(IdNumberCheck.BirthDate);

        if (ComputeCheckCharacter(id.AsSpan(0, 17)) != id[17])
            return Fail(IdNumberCheck.CheckDigit);

        var sex = (id[16] - '0') % 2 == 1 ? Sex.Male : Sex.Female;
        return IdNumberResult.Valid(id, birth, sex);
    }

    /// <summary>The ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits.</summary>
    /// <exception cref="ArgumentException">Not exactly 17 ASCII digits.</exception>
    public static char ComputeCheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17) throw new ArgumentException("Exactly 17 digits are required.", nameof(first17));
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            if (!char.IsAsciiDigit(first17[i])) throw new ArgumentException("Exactly 17 digits are required.", nameof(first17));
            sum += (first17[i] - '0') * Weights[i];
        }
        return CheckCharacters[sum % 11];
    }

    static bool IsWellFormed(string id)
    {
        if (id.Length != Length) return false;
        for (var i = 0; i < 17; i++)
            if (!char.IsAsciiDigit(id[i])) return false;
        return char.IsAsciiDigit(id[17]) || id[17] == 'X';
    }

    static bool TryBirthDate(string id, out DateOnly birth)
    {
        int year = Digits(id, 6, 4), month = Digits(id, 10, 2), day = Digits(id, 12, 2);
        birth = default;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        birth = new DateOnly(year, month, day);
        return true;
    }

    static int Digits(string s, int start, int count)
    {
        var n = 0;
        for (var i = start; i < start + count; i++) n = n * 10 + (s[i] - '0');
        return n;
    }

    static IdNumberResult Fail(IdNumberCheck check) => IdNumberResult.Invalid(check, check switch
    {
        IdNumberCheck.Format => "身份证号码格式不正确，应为18位，最后一位为数字或X",
        IdNumberCheck.DivisionCode => "身份证号码的地区代码不正确",
        IdNumberCheck.BirthDate => "身份证号码中的出生日期不正确",
        _ => "身份证号码校验码不正确",
    });
}
