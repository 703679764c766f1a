using System.Globalization;

namespace CivilAffairs.Domain.Assistance;

/// <summary>What a member's death does to a granted household's allowance (<see cref="MemberDeath.Recalculate"/>).</summary>
/// <param name="Ends">No member remains: the grant ends from the date of death.</param>
/// <param name="RemainingMembers">Living members after the death.</param>
/// <param name="IncomePerCapita">The household's monthly income per capita among the remaining members.</param>
/// <param name="MonthlyAllowance">The re-calculated monthly allowance (0 when the grant ends).</param>
public sealed record AllowanceAfterDeath(bool Ends, int RemainingMembers, decimal IncomePerCapita, decimal MonthlyAllowance);

/// <summary>
/// A member of an assisted household died: their part of the grant ends from the date of death. The household's monthly income
/// (income per capita × members) loses the deceased's declared monthly income, the rest is shared among the remaining members,
/// and the allowance is computed again by the program's own rule (<see cref="Allowances.Monthly"/>) for them. When nobody
/// remains, the grant ends.
/// </summary>
public static class MemberDeath
{
    public static AllowanceAfterDeath Recalculate(ProgramDefinition program, decimal incomePerCapita, int membersBefore, decimal deceasedMonthlyIncome)
    {
        ArgumentNullException.ThrowIfNull(program);
        var remaining = Math.Max(0, membersBefore - 1);
        if (remaining == 0) return new AllowanceAfterDeath(true, 0, 0m, 0m);
        var householdIncome = Math.Max(0m, incomePerCapita * membersBefore - Math.Max(0m, deceasedMonthlyIncome));
        var perCapita = Math.Round(householdIncome / remaining, 2);
        return new AllowanceAfterDeath(false, remaining, perCapita, Allowances.Monthly(program, perCapita, remaining));
    }

    /// <summary>
    /// The first payment month the new amount applies to: the month after the date of death, unless that month's batch has
    /// already been made (<paramref name="batched"/>), then the first month after it that has none yet.
    /// </summary>
    public static string FirstPaymentMonth(DateOnly diedOn, DateOnly today, Func<string, bool> batched)
    {
        ArgumentNullException.ThrowIfNull(batched);
        var month = new DateOnly(diedOn.Year, diedOn.Month, 1).AddMonths(1);
        var current = new DateOnly(today.Year, today.Month, 1);
        if (month < current) month = current;
        while (batched(Month(month))) month = month.AddMonths(1);
        return Month(month);
    }

    public static string Month(DateOnly first) => first.ToString("yyyyMM", CultureInfo.InvariantCulture);
}
