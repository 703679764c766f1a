using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Domain.Assistance;

/// <summary>
/// The legal time limits of an assistance case, counted in working days with the State Council holiday
/// calendar (<see cref="WorkingDays"/>), and the publicity period in calendar days. Defaults follow
/// 《最低生活保障审核确认办法》(民发〔2021〕57号): the street office (乡镇人民政府/街道办事处) completes its review
/// within 30 working days of acceptance, the publicity lasts 7 days, and the district civil-affairs bureau
/// decides within 10 working days of receiving the file. Acceptance within 5 working days of submission is
/// the bureau's own service commitment. All are configuration.
/// </summary>
public sealed record CaseTimeLimits
{
    public int AcceptWorkingDays { get; init; } = 5;
    public int ReviewWorkingDays { get; init; } = 30;
    public int PublicityDays { get; init; } = 7;
    public int DecisionWorkingDays { get; init; } = 10;

    public static CaseTimeLimits Default { get; } = new();
}

/// <summary>The step an application waits on, its legal deadline and whether it has passed.</summary>
public sealed record StepDeadline(string Step, string StepName, DateOnly Since, DateOnly Due, bool IsEstimate, bool Overdue);

/// <summary>
/// The assistance case as a state machine: submitted → accepted → verifying → publicity (公示; objections
/// pause it) → district decision → granted (→ monthly payments, periodic re-verification; a re-verification that no longer
/// qualifies goes back to the district, which continues or ends the grant) | rejected.
/// Ineligible households skip the publicity and go to the district with the per-rule reasons. Plain rules.
/// </summary>
public static class CaseWorkflow
{
    static readonly IReadOnlyDictionary<ApplicationStatus, ApplicationStatus[]> Moves = new Dictionary<ApplicationStatus, ApplicationStatus[]>
    {
        [ApplicationStatus.Submitted] = [ApplicationStatus.Accepted, ApplicationStatus.Withdrawn],
        [ApplicationStatus.Accepted] = [ApplicationStatus.Verifying, ApplicationStatus.Withdrawn],
        [ApplicationStatus.Verifying] = [ApplicationStatus.Publicity, ApplicationStatus.AwaitingDecision, ApplicationStatus.Withdrawn],
        [ApplicationStatus.Publicity] = [ApplicationStatus.PublicityPaused, ApplicationStatus.AwaitingDecision, ApplicationStatus.Withdrawn],
        [ApplicationStatus.PublicityPaused] = [ApplicationStatus.Publicity, ApplicationStatus.AwaitingDecision, ApplicationStatus.Withdrawn],
        [ApplicationStatus.AwaitingDecision] = [ApplicationStatus.Granted, ApplicationStatus.Rejected, ApplicationStatus.Ended],
        [ApplicationStatus.Granted] = [ApplicationStatus.Ended, ApplicationStatus.AwaitingDecision],
        [ApplicationStatus.Rejected] = [],
        [ApplicationStatus.Ended] = [],
        [ApplicationStatus.Withdrawn] = [],
    };

    public static bool CanMove(ApplicationStatus from, ApplicationStatus to) => Moves.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>True while the household holds its members' places (one active household per person).</summary>
    public static bool IsActive(ApplicationStatus status) => status is not (ApplicationStatus.Rejected or ApplicationStatus.Ended or ApplicationStatus.Withdrawn);

    public static string NameOf(ApplicationStatus status) => status switch
    {
        ApplicationStatus.Submitted => "待受理",
        ApplicationStatus.Accepted => "已受理",
        ApplicationStatus.Verifying => "家庭经济状况核对中",
        ApplicationStatus.Publicity => "公示中",
        ApplicationStatus.PublicityPaused => "公示暂停（异议核实中）",
        ApplicationStatus.AwaitingDecision => "待区民政部门审核确认",
        ApplicationStatus.Granted => "已批准",
        ApplicationStatus.Rejected => "不予批准",
        ApplicationStatus.Ended => "救助已终止",
        ApplicationStatus.Withdrawn => "已撤回",
        _ => status.ToString(),
    };

    /// <summary>
    /// The deadline of the step the application waits on, or null for final states and granted cases.
    /// <paramref name="stepStarted"/> is when the current step began (submission, acceptance, or arrival at the district).
    /// </summary>
    public static StepDeadline? Deadline(ApplicationStatus status, DateOnly stepStarted, DateOnly today, CaseTimeLimits limits, HolidayCalendar calendar)
    {
        (string Step, string Name, int Days)? step = status switch
        {
            ApplicationStatus.Submitted => ("accept", "受理", limits.AcceptWorkingDays),
            ApplicationStatus.Accepted or ApplicationStatus.Verifying or ApplicationStatus.Publicity or ApplicationStatus.PublicityPaused
                => ("review", "街道审核（含核对、公示）", limits.ReviewWorkingDays),
            ApplicationStatus.AwaitingDecision => ("decision", "区民政部门审核确认", limits.DecisionWorkingDays),
            _ => null,
        };
        if (step is not { } s) return null;
        var due = calendar.Deadline(stepStarted, s.Days);
        return new StepDeadline(s.Step, s.Name, stepStarted, due.Date, due.IsEstimate, today > due.Date);
    }
}

/// <summary>
/// Monthly allowance of a granted household, by the program's rule:
/// 低保 — (standard − household monthly income per capita) × members, at least 0;
/// 特困 — basic living standard (a multiple of the 低保 standard, default 1.3 per 《国务院关于进一步健全特困人员救助供养制度的意见》) × members;
/// 孤儿 — the orphan basic living standard × members;
/// 临时救助 — a one-off payment of a number of months of the standard × members, paid in the first batch only;
/// 低收入家庭认定 — a recognition, no cash payment. Rounded to cents.
/// </summary>
public static class Allowances
{
    public static decimal Monthly(ProgramDefinition program, decimal monthlyIncomePerCapita, int members) => program.Allowance switch
    {
        AllowanceRule.GapToStandard => Math.Round(Math.Max(0m, program.MonthlyStandardYuan - monthlyIncomePerCapita) * members, 2),
        AllowanceRule.StandardMultiplePerMember => Math.Round(program.MonthlyStandardYuan * program.AllowanceFactor * members, 2),
        AllowanceRule.OneOffStandardMonths => Math.Round(program.MonthlyStandardYuan * program.AllowanceFactor * members, 2),
        _ => 0m,
    };

    /// <summary>Whether a payment is due in a batch, given whether this is the first batch of the grant.</summary>
    public static bool PaysIn(ProgramDefinition program, bool firstBatch) => program.Allowance switch
    {
        AllowanceRule.None => false,
        AllowanceRule.OneOffStandardMonths => firstBatch,
        _ => true,
    };
}
