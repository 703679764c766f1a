using System.Globalization;

namespace CivilAffairs.Domain.Assistance;

/// <summary>
/// The month a payment run pays (<c>yyyyMM</c>). A run pays the current month, prepares the next one, or makes up
/// (补发) a month of the past year; anything else — <c>000101</c>, <c>209901</c> — is a typing error, not a payment.
/// </summary>
public static class PaymentMonth
{
    /// <summary>How far back a make-up run may go.</summary>
    public const int MakeUpMonths = 12;

    /// <summary>The first day of the month, when <paramref name="month"/> is a well-formed <c>yyyyMM</c>.</summary>
    public static DateOnly? Parse(string? month) =>
        month is { Length: 6 } && DateOnly.TryParseExact(month + "01", "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first)
            ? first : null;

    /// <summary>Null when the month may be run on <paramref name="today"/> (China date); otherwise why not, in Chinese.</summary>
    public static string? CheckRunnable(string? month, DateOnly today)
    {
        if (Parse(month) is not { } first) return "月份格式须为 yyyyMM，例如 202612。";
        var current = new DateOnly(today.Year, today.Month, 1);
        if (first > current.AddMonths(1)) return "只能生成本月或下月的发放批次。";
        if (first < current.AddMonths(-MakeUpMonths)) return $"补发最多追溯 {MakeUpMonths} 个月。";
        return null;
    }
}
