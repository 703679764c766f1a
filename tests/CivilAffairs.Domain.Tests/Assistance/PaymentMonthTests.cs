using CivilAffairs.Domain.Assistance;

namespace CivilAffairs.Domain.Tests.Assistance;

/// <summary>A payment run pays this month, prepares the next, or makes up one of the past 12 (issue 11, finding 9).</summary>
public class PaymentMonthTests
{
    static readonly DateOnly Today = new(2026, 7, 20);

    [Theory]
    [InlineData("202607")] // this month
    [InlineData("202608")] // next month, prepared ahead
    [InlineData("202507")] // 12 months back: the oldest make-up run
    public void Months_a_run_may_pay(string month) => Assert.Null(PaymentMonth.CheckRunnable(month, Today));

    [Theory]
    [InlineData("000101", "补发最多追溯 12 个月。")]
    [InlineData("202506", "补发最多追溯 12 个月。")]
    [InlineData("209901", "只能生成本月或下月的发放批次。")]
    [InlineData("202609", "只能生成本月或下月的发放批次。")]
    public void Months_too_far_back_or_ahead_are_typing_errors(string month, string why) =>
        Assert.Equal(why, PaymentMonth.CheckRunnable(month, Today));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2026-07")]
    [InlineData("202613")]
    [InlineData("202600")]
    [InlineData("20267")]
    [InlineData("2026071")]
    [InlineData("２０２６０７")]
    public void Malformed_months_are_refused_with_the_format(string? month)
    {
        Assert.Null(PaymentMonth.Parse(month));
        Assert.Equal("月份格式须为 yyyyMM，例如 202612。", PaymentMonth.CheckRunnable(month, Today));
    }

    [Fact]
    public void A_month_parses_to_its_first_day() => Assert.Equal(new DateOnly(2026, 2, 1), PaymentMonth.Parse("202602"));

    [Fact]
    public void The_window_moves_with_the_year_boundary()
    {
        var newYear = new DateOnly(2027, 1, 3);
        Assert.Null(PaymentMonth.CheckRunnable("202702", newYear));
        Assert.Null(PaymentMonth.CheckRunnable("202601", newYear));
        Assert.NotNull(PaymentMonth.CheckRunnable("202512", newYear));
        Assert.NotNull(PaymentMonth.CheckRunnable("202703", newYear));
    }
}
