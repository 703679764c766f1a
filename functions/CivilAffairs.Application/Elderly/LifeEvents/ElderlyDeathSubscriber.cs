using System.Globalization;
using Azure.Data.Tables;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.HomeCare;
using CivilAffairs.Application.Elderly.Terminals;
using CivilAffairs.Application.Elderly.WelfareChecks;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Elderly.LifeEvents;

/// <summary>
/// Tell Us Once in elderly care (<c>person.died</c>, subscriber <c>elderly</c>). The elder is found from the blind index through
/// the person index (person id) and the elder index (<c>person</c> / person id → elder id). Then, each step a no-op the second
/// time: the death is recorded on the elder's row and every enrolment — 平安通呼叫服务, 助餐补贴 (the meal subsidy), 居家服务补贴
/// — closed at the date of death (<see cref="ServiceLifecycle.EndAtDeath"/>); open home-care orders (ordered, assigned) are
/// cancelled; the 平安通 terminals are revoked in the device registry and leave the heartbeat index; open welfare checks are
/// closed; the contacts who consented and have an account are told in the app. The summary is kept per person in
/// <see cref="TableNames.ElderlyDeaths"/> (PK first two hex digits of the blind index, RK the index) and answered again on a
/// redelivery. Audited as the system.
/// </summary>
public sealed class ElderlyDeathSubscriber(PersonIndex persons, ElderRepository elders, HomeCareOrderService homeCare, TerminalService terminals,
    WelfareCheckService welfareChecks, NotificationService notifications, Tables tables, AuditLog audit, TimeProvider clock,
    ILogger<ElderlyDeathSubscriber> logger) : ILifeEventSubscriber
{
    public const string SubscriberName = "elderly";
    public const string NothingHeld = "养老服务：无在册服务记录。";

    public string Name => SubscriberName;
    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public async Task<string> HandleAsync(OutboxEvent e, CancellationToken ct)
    {
        var died = e.DataAs<PersonDiedData>();
        var index = died.PersonIndex;
        if (index is not { Length: > 2 }) throw new InvalidOperationException($"Event {e.Id}: no person index.");
        var outcomes = await tables.GetAsync(TableNames.ElderlyDeaths, ct);
        var done = await outcomes.GetEntityIfExistsAsync<TableEntity>(index[..2], index, cancellationToken: ct);
        if (done.HasValue && done.Value!.GetString("Summary") is { } summary) return summary;

        var personId = await persons.PersonIdOfAsync(index, ct);
        var elderId = personId is null ? null : await elders.ElderIdOfPersonAsync(personId, ct);
        var (elder, ended) = elderId is null ? (null, []) : await elders.RecordDeathAsync(elderId, died.DateOfDeath, ct);
        if (elder is null)
        {
            await audit.AppendAsync(null, new AuditEvent("elderly.elderDied", AuditOutcome.NotFound, index, AccessPurpose.CaseHandling, $"death {died.DeathId}"), e.Id, ct);
            return NothingHeld;
        }
        var cancelled = await homeCare.CancelOpenForDeathAsync(elder.Elder.Id, died.DateOfDeath, e.Id, ct);
        var unbound = await terminals.UnbindForDeathAsync(elder.Elder.Id, e.Id, ct);
        var closed = await welfareChecks.CloseForDeathAsync(elder, died.DateOfDeath, e.Id, ct);
        var told = await NotifyContactsAsync(elder, died, ct);

        summary = Summary(died.DateOfDeath, ended, cancelled, unbound, closed);
        await outcomes.UpsertEntityAsync(new TableEntity(index[..2], index)
        {
            ["ElderId"] = elder.Elder.Id,
            ["DeathId"] = died.DeathId,
            ["Summary"] = summary,
            ["HandledAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);
        await audit.AppendAsync(null, new AuditEvent("elderly.elderDied", AuditOutcome.Success, elder.IdIndex, AccessPurpose.CaseHandling,
            $"{elder.Elder.Id}: death {died.DeathId}; services {ended.Count}, orders {cancelled}, terminals {unbound}, checks {closed}, contacts {told}"), e.Id, ct);
        logger.LogInformation("Elderly: death {DeathId} applied to elder {ElderId}", died.DeathId, elder.Elder.Id);
        return summary;
    }

    /// <summary>The one-sentence summary for the family's Tell Us Once page.</summary>
    public static string Summary(DateOnly diedOn, IReadOnlyCollection<ElderCareService> ended, int cancelledOrders, int unboundTerminals, int closedChecks)
    {
        var parts = new List<string>();
        if (ended.Count > 0)
            parts.Add($"{string.Join("、", ended.Distinct().Select(s => s.ChineseName()))}自 {ServiceLifecycle.EndsFrom(diedOn).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} 起停止");
        if (cancelledOrders > 0) parts.Add($"已取消居家服务工单 {cancelledOrders} 项");
        if (unboundTerminals > 0) parts.Add($"平安通终端 {unboundTerminals} 台已解绑");
        if (closedChecks > 0) parts.Add($"待办探视任务 {closedChecks} 项已关闭");
        return parts.Count == 0 ? "养老服务：服务对象已登记去世，无在办服务。" : $"养老服务：{string.Join("，", parts)}。";
    }

    async Task<int> NotifyContactsAsync(StoredElder elder, PersonDiedData died, CancellationToken ct)
    {
        var notifiable = ElderRules.NotifiableContacts(elder.Elder, clock.GetUtcNow()).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var told = 0;
        foreach (var contact in elder.Contacts.Where(c => c.PersonId is not null && notifiable.Contains(c.Id)))
        {
            await notifications.NotifyAsync(contact.PersonId, new Notification($"elder.{elder.Elder.Id}.died", "elderly", "养老服务已停止",
                $"{Masking.MaskName(elder.Elder.Name)}的养老服务（平安通、助餐、居家服务）已按去世登记停止，相关工单已取消。节哀顺变，如有疑问请联系所在社区。", null), ct);
            await audit.AppendAsync(null, new AuditEvent("elderly.elderDied.notify", AuditOutcome.Success, elder.Elder.Id, Detail: $"{died.DeathId}:{contact.Id}"), died.DeathId, ct);
            told++;
        }
        return told;
    }
}

public static class ElderlyLifeEventsRegistration
{
    /// <summary>The elderly-care area's life-event subscriber (<see cref="ElderlyDeathSubscriber"/>).</summary>
    public static IServiceCollection AddElderlyLifeEvents(this IServiceCollection services) =>
        services.AddSingleton<ILifeEventSubscriber, ElderlyDeathSubscriber>();
}
