using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Tests.Platform;

public class IdNumberTests
{
    static readonly DateOnly Today = new(2025, 6, 15);

    /// <summary>Appends the GB 11643 check character, computed independently of the code under test.</summary>
    internal static string WithCheckDigit(string first17)
    {
        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (first17[i] - '0') * weights[i];
        return first17 + "10X98765432"[sum % 11];
    }

    static string WrongCheckDigit(string valid)
    {
        var right = valid[17];
        var wrong = right == '0' ? '1' : right == 'X' ? '0' : (char)(right == '9' ? 'X' : right + 1);
        return valid[..17] + wrong;
    }

    [Theory]
    [InlineData("44010619900101123")]
    [InlineData("11010519491231002")]
    [InlineData("65010220000229004")]
    [InlineData("82000019000101000")]
    [InlineData("71000020250615111")]
    public void Accepts_numbers_with_a_correct_check_digit(string first17)
    {
        var id = WithCheckDigit(first17);

        var result = IdNumber.Validate(id, Today);

        Assert.True(result.IsValid);
        Assert.Null(result.FailedCheck);
        Assert.Null(result.Message);
        Assert.Equal(id, result.Normalized);
        Assert.Equal(first17[..6], result.DivisionCode);
    }

    [Fact]
    public void Accepts_the_examples_of_the_standard()
    {
        var result = IdNumber.Validate("11010519491231002X", Today);

        Assert.True(result.IsValid);
        Assert.Equal(new DateOnly(1949, 12, 31), result.BirthDate);
        Assert.Equal(Sex.Female, result.Sex);
        Assert.Equal('4', IdNumber.ComputeCheckCharacter("44052418800101001"));
        Assert.Equal('X', IdNumber.ComputeCheckCharacter("11010519491231002"));
    }

    [Fact]
    public void Extracts_birth_date_division_and_sex()
    {
        var male = IdNumber.Validate(WithCheckDigit("44010619900101123"), Today);
        var female = IdNumber.Validate(WithCheckDigit("44010619900101124"), Today);

        Assert.Equal("440106", male.DivisionCode);
        Assert.Equal(new DateOnly(1990, 1, 1), male.BirthDate);
        Assert.Equal(Sex.Male, male.Sex);
        Assert.Equal(Sex.Female, female.Sex);
    }

    [Theory]
    [InlineData(" 11010519491231002x ")]
    [InlineData("11010519491231002x")]
    [InlineData("１１０１０５１９４９１２３１００２Ｘ")]
    public void Normalizes_before_validating(string input)
    {
        var result = IdNumber.Validate(input, Today);

        Assert.True(result.IsValid);
        Assert.Equal("11010519491231002X", result.Normalized);
    }

    [Fact]
    public void Normalize_trims_and_upper_cases_x_only()
    {
        Assert.Equal("11010519491231002X", IdNumber.Normalize("\t11010519491231002x\n"));
        Assert.Equal("abc", IdNumber.Normalize(" abc "));
        Assert.Throws<ArgumentNullException>(() => IdNumber.Normalize(null!));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("4401061990010112")]
    [InlineData("44010619900101123")]
    [InlineData("4401061990010112345")]
    [InlineData("44010619900101123A")]
    [InlineData("4401061990010X1234")]
    [InlineData("44010619900101 234")]
    [InlineData("44010619900101123Y")]
    [InlineData("٤٤٠١٠٦١٩٩٠٠١٠١١٢٣٤")]
    public void Rejects_malformed_values(string? input)
    {
        var result = IdNumber.Validate(input, Today);

        Assert.False(result.IsValid);
        Assert.Equal(IdNumberCheck.Format, result.FailedCheck);
        Assert.Equal("身份证号码格式不正确，应为18位，最后一位为数字或X", result.Message);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("10")]
    [InlineData("16")]
    [InlineData("20")]
    [InlineData("24")]
    [InlineData("38")]
    [InlineData("47")]
    [InlineData("55")]
    [InlineData("66")]
    [InlineData("72")]
    [InlineData("80")]
    [InlineData("83")]
    [InlineData("99")]
    public void Rejects_unknown_province_codes(string province)
    {
        var result = IdNumber.Validate(WithCheckDigit(province + "010619900101123"), Today);

        Assert.Equal(IdNumberCheck.DivisionCode, result.FailedCheck);
        Assert.Equal("身份证号码的地区代码不正确", result.Message);
    }

    [Theory]
    [InlineData("11")] [InlineData("15")] [InlineData("21")] [InlineData("23")] [InlineData("31")] [InlineData("37")]
    [InlineData("41")] [InlineData("46")] [InlineData("50")] [InlineData("54")] [InlineData("61")] [InlineData("65")]
    [InlineData("71")] [InlineData("81")] [InlineData("82")]
    public void Accepts_every_province_range_boundary(string province) =>
        Assert.True(IdNumber.Validate(WithCheckDigit(province + "010619900101123"), Today).IsValid);

    [Fact]
    public void Consults_the_division_list_with_the_six_digit_code()
    {
        var asked = new List<string>();
        var id = WithCheckDigit("44010619900101123");

        var known = IdNumber.Validate(id, Today, code => { asked.Add(code); return code == "440106"; });
        var unknown = IdNumber.Validate(id, Today, code => code == "440103");

        Assert.True(known.IsValid);
        Assert.Equal(["440106"], asked);
        Assert.Equal(IdNumberCheck.DivisionCode, unknown.FailedCheck);
    }

    [Theory]
    [InlineData("18991231")]
    [InlineData("19900230")]
    [InlineData("19900431")]
    [InlineData("19901301")]
    [InlineData("19900001")]
    [InlineData("19900100")]
    [InlineData("19000229")]
    [InlineData("20250616")]
    [InlineData("30000101")]
    [InlineData("00000101")]
    public void Rejects_impossible_or_out_of_range_birth_dates(string birth)
    {
        var result = IdNumber.Validate(WithCheckDigit("440106" + birth + "123"), Today);

        Assert.Equal(IdNumberCheck.BirthDate, result.FailedCheck);
        Assert.Equal("身份证号码中的出生日期不正确", result.Message);
    }

    [Theory]
    [InlineData("19000101")]
    [InlineData("20000229")]
    [InlineData("20250615")]
    public void Accepts_birth_dates_at_the_limits(string birth) =>
        Assert.True(IdNumber.Validate(WithCheckDigit("440106" + birth + "123"), Today).IsValid);

    [Theory]
    [InlineData("44010619900101123")]
    [InlineData("11010519491231002")]
    [InlineData("44010619900101130")]
    public void Rejects_a_wrong_check_digit(string first17)
    {
        var result = IdNumber.Validate(WrongCheckDigit(WithCheckDigit(first17)), Today);

        Assert.Equal(IdNumberCheck.CheckDigit, result.FailedCheck);
        Assert.Equal("身份证号码校验码不正确", result.Message);
    }

    [Fact]
    public void Every_wrong_check_character_is_rejected()
    {
        var valid = WithCheckDigit("44010619900101123");
        foreach (var c in "0123456789X".Where(c => c != valid[17]))
            Assert.Equal(IdNumberCheck.CheckDigit, IdNumber.Validate(valid[..17] + c, Today).FailedCheck);
    }

    [Fact]
    public void Reports_checks_in_order_format_division_birth_check_digit()
    {
        // Bad province, bad date and bad check digit at once: the division is reported.
        Assert.Equal(IdNumberCheck.DivisionCode, IdNumber.Validate("990106199002301230", Today).FailedCheck);
        // Bad date and bad check digit: the date is reported.
        Assert.Equal(IdNumberCheck.BirthDate, IdNumber.Validate(WrongCheckDigit(WithCheckDigit("44010619900230123")), Today).FailedCheck);
    }

    [Theory]
    [InlineData("2025-06-14", 35)]
    [InlineData("2025-06-15", 36)]
    [InlineData("2025-12-31", 36)]
    [InlineData("1989-06-15", 0)]
    [InlineData("1990-06-14", 0)]
    [InlineData("1990-06-15", 1)]
    public void Age_counts_completed_years(string on, int age)
    {
        var result = IdNumber.Validate(WithCheckDigit("44010619890615123"), Today);

        Assert.Equal(age, result.AgeOn(DateOnly.Parse(on)));
    }

    [Theory]
    [InlineData("2001-02-28", 0)]
    [InlineData("2001-03-01", 1)]
    [InlineData("2004-02-28", 3)]
    [InlineData("2004-02-29", 4)]
    public void Leap_day_birthdays_complete_a_year_on_1_March_in_common_years(string on, int age)
    {
        var result = IdNumber.Validate(WithCheckDigit("44010620000229123"), Today);

        Assert.Equal(age, result.AgeOn(DateOnly.Parse(on)));
    }

    [Fact]
    public void Age_before_birth_is_an_error()
    {
        var result = IdNumber.Validate(WithCheckDigit("44010619900101123"), Today);

        Assert.Throws<ArgumentOutOfRangeException>(() => result.AgeOn(new DateOnly(1989, 12, 31)));
    }

    [Fact]
    public void Details_of_an_invalid_result_are_unavailable()
    {
        var result = IdNumber.Validate("440106199001011230", new DateOnly(1980, 1, 1));

        Assert.False(result.IsValid);
        Assert.Throws<InvalidOperationException>(() => result.Normalized);
        Assert.Throws<InvalidOperationException>(() => result.DivisionCode);
        Assert.Throws<InvalidOperationException>(() => result.BirthDate);
        Assert.Throws<InvalidOperationException>(() => result.Sex);
        Assert.Throws<InvalidOperationException>(() => result.AgeOn(Today));
    }

    [Fact]
    public void ToString_does_not_reveal_the_number()
    {
        var id = WithCheckDigit("44010619900101123");

        var text = IdNumber.Validate(id, Today).ToString();

        Assert.DoesNotContain(id, text);
        Assert.DoesNotContain("19900101", text);
        Assert.Contains("440106********", text);
    }

    [Fact]
    public void ComputeCheckCharacter_requires_17_digits()
    {
        Assert.Throws<ArgumentException>(() => IdNumber.ComputeCheckCharacter("4401061990010112"));
        Assert.Throws<ArgumentException>(() => IdNumber.ComputeCheckCharacter("4401061990010112X"));
    }
}
