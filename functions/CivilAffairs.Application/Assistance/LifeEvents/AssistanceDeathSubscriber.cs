using System.Globalization;
using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Assistance.LifeEvents;


/// <summary>
/// Tell Us Once in social assistance (<c>person.died</c>, subscriber <c>assistance</c>). The household holding the deceased is
/// found through the membership guard <see cref="TableNames.AssistanceMemberships"/> (PartitionKey = first two hex digits of the
/// member's blind index, RowKey = the index, <c>ApplicationId</c>): every member of an active application has exactly one row,
/// so no scan is needed. Then:
/// <list type="bullet">
/// <item>a granted household with other members: the deceased is marked (<see cref="StoredMember.DiedOn"/>), the household's
/// income per capita and allowance are re-calculated for the remaining members by the program's rule
/// (<see cref="MemberDeath.Recalculate"/>), applying from the next payment month not yet batched
/// (<see cref="ApplicationRecord.AllowanceChangedFrom"/>; the payment run pays the previous amount for earlier months and no
/// longer stops the household for this death); the grant row the payments read is updated and the applicant told;</item>
/// <item>a granted household of one: the grant ends (<c>Granted → Ended</c>, members released, grant row inactive) with the life
/// event <c>assistance.ended</c> written in the same transaction through the outbox;</item>
/// <item>a case still in progress: the member is marked and the member count lowered (the decision computes the allowance for
/// the rest); a case left without members is withdrawn (ended when it awaited the decision).</item>
/// </list>
/// Idempotent: the outcome is kept per person in <see cref="TableNames.AssistanceDeaths"/> (PK first two hex digits of the
/// index, RK the index: application id, death id, date, summary), written before the changes (so a retry after the membership
/// row was released still finds the household) and completed with the summary after them; each change is itself a no-op the
/// second time. Audited as the system.
/// </summary>
public sealed class AssistanceDeathSubscriber(ApplicationRepository repository, AssistanceApplicationService applications, Tables tables,
    NotificationService notifications, AuditLog audit, TimeProvider clock, ILogger<AssistanceDeathSubscriber> logger) : ILifeEventSubscriber
{
    public const string SubscriberName = "assistance";
    public const string NothingHeld = "社会救助：无在保记录。";

    public string Name => SubscriberName;
    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public async Task<string> HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var died = e.DataAs<PersonDiedData>();
        var index = died.PersonIndex;
        if (index is not { Length: > 2 }) throw new InvalidOperationException($"Event {e.Id}: no person index.");
        var outcomes = await tables.GetAsync(TableNames.AssistanceDeaths, ct);
        var done = await outcomes.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        if (done.HasValue && done.Value!.GetString("Summary") is { } summary) return summary;

        var applicationId = done.HasValue ? done.Value!.GetString("ApplicationId") : null;
        if (applicationId is null)
        {
            var memberships = await tables.GetAsync(TableNames.AssistanceMemberships, ct);
            var claim = await memberships.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
            applicationId = claim.HasValue ? claim.Value!.GetString("ApplicationId") : null;
        }
        var record = applicationId is null ? null : await repository.GetAsync(applicationId, ct);
        if (record is null || !CaseWorkflow.IsActive(record.Status) || applications.MembersOf(record).All(m => m.IdIndex != index))
        {
            await audit.AppendAsync(null, new AuditEvent("assistance.memberDied", AuditOutcome.NotFound, index, AccessPurpose.CaseHandling, $"death {died.DeathId}"), e.Id, ct);
            return NothingHeld;
        }
        await outcomes.UpsertEntityAsync(new TableEntity(index[..2], index)
        {
            ["ApplicationId"] = record.Id,
            ["DeathId"] = died.DeathId,
            ["DateOfDeath"] = died.DateOfDeath.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, TableUpdateMode.Merge, ct);

        summary = record.Status == ApplicationStatus.Granted
            ? await GrantedAsync(record, index, died, ct)
            : await InProgressAsync(record, index, died, ct);

        await outcomes.UpsertEntityAsync(new TableEntity(index[..2], index) { ["Summary"] = summary, ["HandledAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, ct);
        await audit.AppendAsync(null, new AuditEvent("assistance.memberDied", AuditOutcome.Success, index, AccessPurpose.CaseHandling,
            $"{record.Id}: death {died.DeathId}"), e.Id, ct);
        logger.LogInformation("Assistance: death {DeathId} applied to application {ApplicationId}", died.DeathId, record.Id);
        return summary;
    }

    async Task<string> GrantedAsync(ApplicationRecord record, string index, PersonDiedData died, CancellationToken ct)
    {
        var program = applications.Program(record.Program);
        var date = Date(died.DateOfDeath);
        var members = applications.MembersOf(record);
        var deceased = members.Single(m => m.IdIndex == index);
        var living = members.Count(m => m.DiedOn is null && m.IdIndex != index);

        if (living == 0)
        {
            var ended = await applications.MoveAsync(record.Id, [ApplicationStatus.Granted], ApplicationStatus.Ended,
                r => r with { MembersCipher = Mark(r, index, died.DateOfDeath), DecisionReason = $"家庭成员均已去世（{date}），救助终止。" }, ct,
                r => [new PendingEvent(GrantEvents.Source, LifeEventTypes.AssistanceEnded, r.Id,
                    new GrantEventData(r.Id, r.Program, r.Jurisdiction, 0m, died.DateOfDeath, "personDied"))]);
            if (ended is not null) await SetGrantAsync(ended, false, ct);
            return $"社会救助：{program.Name}待遇已于 {date} 停止，救助终止。";
        }

        var district = record.Jurisdiction[..6];
        var from = await FirstPaymentMonthAsync(district, died.DateOfDeath, ct);
        // The whole change in one write: marked member, fewer members, new income per capita and allowance from the month.
        var (current, changed) = await repository.UpdateAsync(record.Id, r =>
        {
            if (r.Status != ApplicationStatus.Granted) return null;
            var now = applications.MembersOf(r);
            if (now.FirstOrDefault(m => m.IdIndex == index) is not { DiedOn: null } member) return null;
            var after = MemberDeath.Recalculate(program, r.IncomePerCapita ?? 0m, now.Count(m => m.DiedOn is null), member.DeclaredMonthlyIncome);
            return r with
            {
                MembersCipher = Mark(r, index, died.DateOfDeath),
                MemberCount = after.RemainingMembers,
                IncomePerCapita = after.IncomePerCapita,
                PreviousMonthlyAllowance = r.AllowanceFor(from),
                MonthlyAllowance = after.MonthlyAllowance,
                AllowanceChangedFrom = from,
            };
        }, null, ct);
        if (current is null) return NothingHeld;
        var amount = current.MonthlyAllowance ?? 0m;
        var effective = current.AllowanceChangedFrom ?? from;
        if (changed)
        {
            await SetGrantAsync(current, true, ct);
            if (current.ApplicantPersonId is { } applicant && deceased.PersonId != applicant)
                await notifications.NotifyAsync(applicant, new Notification($"{current.Id}.memberDied-{deceased.MemberRef}", "assistance", "救助金重新核定",
                    $"因家庭成员去世，您家庭的{program.Name}救助金自 {MonthName(effective)}起重新核定为每月 {Money(amount)} 元。", $"/api/assistance/applications/{current.Id}"), ct);
        }
        return $"社会救助：{program.Name}待遇已于 {date} 停止，家庭其余 {current.MemberCount} 人的保障金已重新核定为每月 {Money(amount)} 元（自 {MonthName(effective)}起）。";
    }

    async Task<string> InProgressAsync(ApplicationRecord record, string index, PersonDiedData died, CancellationToken ct)
    {
        var program = applications.Program(record.Program);
        var members = applications.MembersOf(record);
        var living = members.Count(m => m.DiedOn is null && m.IdIndex != index);
        if (living == 0)
        {
            var target = record.Status == ApplicationStatus.AwaitingDecision ? ApplicationStatus.Ended : ApplicationStatus.Withdrawn;
            await applications.MoveAsync(record.Id, [record.Status], target,
                r => r with { MembersCipher = Mark(r, index, died.DateOfDeath), DecisionReason = $"申请家庭成员均已去世（{Date(died.DateOfDeath)}），申请终止。" }, ct);
            return $"社会救助：在办的{program.Name}申请已终止。";
        }
        var (current, _) = await repository.UpdateAsync(record.Id, r =>
        {
            if (!CaseWorkflow.IsActive(r.Status) || applications.MembersOf(r).FirstOrDefault(m => m.IdIndex == index) is not { DiedOn: null }) return null;
            return r with { MembersCipher = Mark(r, index, died.DateOfDeath), MemberCount = living };
        }, null, ct);
        return $"社会救助：在办的{program.Name}申请已将该成员移出家庭，按其余 {current?.MemberCount ?? living} 人审核。";
    }

    /// <summary>The members with the deceased marked, encrypted for the record.</summary>
    string Mark(ApplicationRecord r, string index, DateOnly diedOn) =>
        applications.EncryptMembers(r.Id, applications.MembersOf(r).Select(m => m.IdIndex == index && m.DiedOn is null ? m with { DiedOn = diedOn } : m).ToList());

    /// <summary>The first month from the one after the death that has no payment batch yet for the district.</summary>
    async Task<string> FirstPaymentMonthAsync(string district, DateOnly diedOn, CancellationToken ct)
    {
        var payments = await tables.GetAsync(TableNames.AssistancePayments, ct);
        var batched = new HashSet<string>(StringComparer.Ordinal);
        var today = ChinaTime.Today(clock);
        var first = new DateOnly(diedOn.Year, diedOn.Month, 1).AddMonths(1);
        var current = new DateOnly(today.Year, today.Month, 1);
        for (var m = first < current ? current : first; batched.Count < 24; m = m.AddMonths(1))
        {
            var key = MemberDeath.Month(m);
            if (!(await payments.GetEntityIfExistsAsync<TableEntity>($"{key}-{district}", "batch", select: ["PartitionKey"], cancellationToken: ct)).HasValue) break;
            batched.Add(key);
        }
        return MemberDeath.FirstPaymentMonth(diedOn, today, batched.Contains);
    }

    async Task SetGrantAsync(ApplicationRecord application, bool active, CancellationToken ct)
    {
        var grants = await tables.GetAsync(TableNames.AssistanceGrants, ct);
        await grants.UpsertEntityAsync(new TableEntity(application.Jurisdiction[..6], application.Id)
        {
            ["Active"] = active,
            ["MonthlyAllowance"] = (application.MonthlyAllowance ?? 0m).ToString("0.00", CultureInfo.InvariantCulture),
            ["AllowanceChangedFrom"] = application.AllowanceChangedFrom,
            ["UpdatedAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Merge, ct);
    }

    static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    static string Money(decimal d) => d.ToString("#,0.00", CultureInfo.InvariantCulture);
    static string MonthName(string yyyyMM) => $"{yyyyMM[..4]} 年 {int.Parse(yyyyMM[4..], CultureInfo.InvariantCulture)} 月";
}

public static class AssistanceLifeEventsRegistration
{
    /// <summary>The assistance area's life-event subscriber (<see cref="AssistanceDeathSubscriber"/>).</summary>
    public static IServiceCollection AddAssistanceLifeEvents(this IServiceCollection services) =>
        services.AddSingleton<ILifeEventSubscriber, AssistanceDeathSubscriber>();
}
