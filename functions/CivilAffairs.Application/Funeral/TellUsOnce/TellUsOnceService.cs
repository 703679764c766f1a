using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Funeral.Deaths;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Funeral.TellUsOnce;

/// <summary>Configuration section <c>Funeral:TellUsOnce</c>.</summary>
public sealed class TellUsOnceOptions
{
    /// <summary>How long a partner unit has to acknowledge before the event is sent again (once), and again before it is shown late.</summary>
    public TimeSpan AcknowledgementDeadline { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>Input of the Tell Us Once workflow (instance <c>tuo-{deathId}</c>).</summary>
public sealed record TellUsOnceInput(string DeathId, string EventId, IReadOnlyList<string> Units, TimeSpan Deadline);

/// <summary>Where a Tell Us Once workflow stands (its custom status and output).</summary>
public sealed record TellUsOnceStatus(int Units, int Confirmed, int Resent, IReadOnlyList<string> Late, bool Finished);

/// <summary>The workflow port: one instance per registered death.</summary>
public interface ITellUsOnceWorkflow
{
    Task StartAsync(TellUsOnceInput input, CancellationToken ct);
    /// <summary>Tells the instance that <paramref name="unitCode"/> acknowledged (ignored when no instance runs).</summary>
    Task ReceiptAsync(string deathId, string unitCode, CancellationToken ct);
}

/// <summary>One office's part in the family's Tell Us Once page.</summary>
/// <param name="Kind"><c>bureau</c> (a service of the civil-affairs bureau itself) or <c>partner</c> (another department, a bank).</param>
/// <param name="Status"><c>done</c> (bureau services: acted), <c>confirmed</c> (receipt received), <c>waiting</c>, <c>late</c> (no receipt after the resend's deadline).</param>
public sealed record TellUsOnceOffice(string Kind, string Code, string Name, string Status, string StatusText, DateTimeOffset? ToldAt, int Attempts,
    DateTimeOffset? ConfirmedAt, string? TheirReference, string? Summary);

/// <summary>The family's one page: who was told of the death, who confirmed, who is late.</summary>
public sealed record TellUsOnceView(string Reference, string MaskedName, DateOnly DateOfDeath, DateTimeOffset RegisteredAt, int Told, int Confirmed, int Late,
    string Summary, IReadOnlyList<TellUsOnceOffice> Offices);

/// <summary>
/// Tell Us Once (一次告知): a registered death is told to every service of the bureau (assistance, elderly care, marriage — the
/// in-app subscribers of <c>person.died</c>) and to every partner unit that holds a benefit or record (pensions, medical insurance,
/// the housing fund, banks, the police household register…). The <see cref="ITellUsOnceWorkflow"/> waits for each unit's receipt
/// with a deadline, sends again once, then shows the unit late; the family follows it on one page under one reference number.
/// </summary>
public sealed class TellUsOnceService(DeathService deaths, LifeEventLog log, PartnerEvents partners, PersonIndex persons, AuditLog audit,
    IServiceProvider services, IOptions<TellUsOnceOptions> options)
{
    static Problem NotFound() => Problem.NotFound("TELL_US_ONCE_NOT_FOUND", "没有找到该登记号", "没有找到该死亡登记号，或您不是该登记的申报人。");

    public async Task<Result<TellUsOnceView>> GetAsync(CallContext call, string reference)
    {
        var (caller, requestId, ct) = call;
        var deathId = await deaths.IdOfReferenceAsync(reference, ct);
        var row = deathId is null ? null : await deaths.RowAsync(deathId, ct);
        if (row is null) return NotFound();
        var allowed = caller.Role == Role.Citizen
            ? caller.PersonId is { } me && row.GetString("InformantIndex") is { } informant && await persons.PersonIdOfAsync(informant, ct) == me
            : AccessPolicy.InScope(caller, new ResourceScope(row.GetString("Jurisdiction")));
        if (!allowed)
        {
            await audit.AppendAsync(caller, new AuditEvent("tellUsOnce.read", AuditOutcome.Denied, deathId, Detail: "notInformant"), requestId, ct);
            return NotFound();
        }
        await audit.AppendAsync(caller, new AuditEvent("tellUsOnce.read", AuditOutcome.Success, deathId), requestId, ct);

        var offices = new List<TellUsOnceOffice>();
        var eventId = await log.FindAsync(LifeEventTypes.PersonDied, deathId!, ct);
        var outcomes = eventId is null ? [] : (await log.OutcomesAsync(eventId, ct)).ToDictionary(o => o.Subscriber, StringComparer.Ordinal);
        foreach (var subscriber in services.GetServices<ILifeEventSubscriber>().Where(s => s.EventTypes.Contains(LifeEventTypes.PersonDied)).OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            var done = outcomes.GetValueOrDefault(subscriber.Name);
            offices.Add(new TellUsOnceOffice("bureau", subscriber.Name, BureauServiceName(subscriber.Name), done is null ? "waiting" : "done",
                done is null ? "正在处理" : "已处理", null, done is null ? 0 : 1, done?.HandledAt, null, done?.Summary));
        }
        var deliveries = eventId is null ? [] : (await log.DeliveriesAsync(eventId, ct)).ToDictionary(d => d.UnitCode, StringComparer.Ordinal);
        var catalogue = services.GetRequiredService<PartnerCatalogue>();
        foreach (var unit in partners.SubscribersOf(LifeEventTypes.PersonDied))
        {
            var d = deliveries.GetValueOrDefault(unit);
            var (status, text) = d switch
            {
                { AcknowledgedAt: not null } => ("confirmed", "已确认收到"),
                { Late: true } => ("late", "逾期未确认，已提醒该单位"),
                { Attempts: > 1 } => ("waiting", "已再次发送，等待确认"),
                { Attempts: 1 } => ("waiting", "已通知，等待确认"),
                _ => ("waiting", "正在通知"),
            };
            offices.Add(new TellUsOnceOffice("partner", unit, catalogue.Find(unit)?.Name ?? unit, status, text, d?.SentAt, d?.Attempts ?? 0, d?.AcknowledgedAt, d?.UnitReference, null));
        }
        var told = offices.Count(o => o.ToldAt is not null || o.Kind == "bureau" && o.Status == "done");
        var confirmed = offices.Count(o => o.Status is "confirmed" or "done");
        var late = offices.Count(o => o.Status == "late");
        var summary = confirmed == offices.Count ? $"已通知全部 {offices.Count} 个部门和单位，均已确认。"
            : $"已通知 {told} 个部门和单位，{confirmed} 个已确认" + (late > 0 ? $"，{late} 个逾期未确认（已再次发送并提醒）。" : "，其余正在处理。");
        return Result.Ok(new TellUsOnceView(row.GetString("Reference"), Masking.MaskName(deaths.Open(row, "Name")) ?? "",
            DateOnly.ParseExact(row.GetString("DateOfDeath"), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            row.GetDateTimeOffset("RegisteredAt")!.Value, told, confirmed, late, summary, offices));
    }

    static string BureauServiceName(string subscriber) => subscriber switch
    {
        "assistance" => "社会救助（低保、特困等）",
        "elderly" => "养老服务（居家服务、长者饭堂、平安通）",
        "marriage" => "婚姻登记",
        _ => subscriber,
    };

    // ---- the workflow's activities ----

    /// <summary>The units of the event that have not acknowledged yet.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(string eventId, IReadOnlyList<string> units, CancellationToken ct)
    {
        var acknowledged = (await log.DeliveriesAsync(eventId, ct)).Where(d => d.AcknowledgedAt is not null).Select(d => d.UnitCode).ToHashSet(StringComparer.Ordinal);
        return units.Where(u => !acknowledged.Contains(u)).ToList();
    }

    public async Task ResendAsync(string eventId, IReadOnlyList<string> units, CancellationToken ct)
    {
        foreach (var unit in units) await partners.ResendAsync(eventId, unit, ct);
        await audit.AppendAsync(null, new AuditEvent("tellUsOnce.resent", AuditOutcome.Success, eventId, Detail: string.Join(",", units)), null, ct);
    }

    public async Task MarkLateAsync(string eventId, IReadOnlyList<string> units, CancellationToken ct)
    {
        await partners.MarkLateAsync(eventId, units, ct);
        await audit.AppendAsync(null, new AuditEvent("tellUsOnce.late", AuditOutcome.Failed, eventId, Detail: string.Join(",", units)), null, ct);
    }

    public TimeSpan Deadline => options.Value.AcknowledgementDeadline;
}

/// <summary>Starts the Tell Us Once workflow when <c>person.died</c> is relayed (after the life-event relay sent it to the units).</summary>
public sealed class TellUsOnceStarter(ITellUsOnceWorkflow workflow, PartnerEvents partners, IOptions<TellUsOnceOptions> options) : IOutboxHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public Task HandleAsync(OutboxEvent e, CancellationToken ct) =>
        workflow.StartAsync(new TellUsOnceInput(e.Subject, e.Id, partners.SubscribersOf(e.Type), options.Value.AcknowledgementDeadline), ct);
}

/// <summary>Tells the workflow of each unit's receipt of <c>person.died</c>.</summary>
public sealed class TellUsOnceReceipts(ITellUsOnceWorkflow workflow) : IEventReceiptHandler
{
    public IReadOnlyCollection<string> EventTypes { get; } = [LifeEventTypes.PersonDied];

    public Task OnReceiptAsync(OutboxEvent e, PartnerDelivery delivery, CancellationToken ct) => workflow.ReceiptAsync(e.Subject, delivery.UnitCode, ct);
}
