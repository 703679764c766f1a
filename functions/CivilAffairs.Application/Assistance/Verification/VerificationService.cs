using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Cases;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Assistance;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.Application.Assistance.Verification;

/// <summary>The verification result as stored and returned.</summary>
public sealed record VerificationView(string ApplicationId, ApplicationStatus Status, int Round, VerificationProgress? Progress,
    HouseholdEconomicReport? Report, EligibilityDecision? Decision, IReadOnlyList<UnitView> UnitsNotAnswered, DateTimeOffset? CompletedAt,
    IReadOnlyList<DeclaredComparison>? Declared = null);

/// <summary>What the household declared against what the partner units reported (申报与核对比对).</summary>
/// <param name="Understated">True when the verified figure exceeds the declaration by more than 10 % and 100 yuan.</param>
public sealed record DeclaredComparison(ReportField Field, decimal Declared, decimal Verified, bool Understated);

/// <summary>A partner unit by code and Chinese name.</summary>
public sealed record UnitView(string Code, string Name);

/// <summary>
/// The partner side of verification: sends sealed requests (the members' names, ID numbers and consent references and
/// the purpose, encrypted with the unit's key; one request per unit and round), accepts replies (correlated by orchestration instance, stored
/// encrypted with an SM3 hash of the reply message as evidence, raised into the workflow), and builds the
/// household economic report and the eligibility decision. Rows in <c>VerificationRequests</c>:
/// PartitionKey = orchestration instance (the correlation id), RowKey = unit code (one request per unit about every member).
/// </summary>
public sealed class VerificationService(
    Tables tables,
    AssistanceApplicationService applications,
    IAssistanceCaseWorkflow workflow,
    PartnerCatalogue catalogue,
    PartnerCodec codec,
    QueueServiceClient queues,
    FieldCipher cipher,
    TimeProvider clock,
    ILogger<VerificationService> logger)
{
    public const string Purpose = "居民家庭经济状况核对（社会救助审核确认）";

    /// <summary>Request queues known to exist (created once per process, not once per send).</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> createdQueues = new(StringComparer.Ordinal);

    /// <summary>
    /// Sends each of the given units one request about every member (one message per unit and round), for all the units
    /// of a round in one call. The request rows (one partition per round, one row per unit) are written in transactions
    /// of up to 100 before anything is sent. A unit whose message could not be queued is returned, so the orchestration
    /// can send to it again later; a repeated send reuses the stored request id, so a unit that sees a request twice
    /// answers it with the same reply, which the reply handler stores once, and units that have answered are not asked again.
    /// </summary>
    public async Task<SendRequestsOutcome> SendRequestsAsync(SendRequestsInput input, CancellationToken ct)
    {
        var units = input.UnitCodes.Select(code => catalogue.Find(code) ?? throw new InvalidOperationException($"Unknown partner unit {code}.")).ToList();
        var members = await applications.MembersAsync(input.ApplicationId, ct);
        var table = await tables.GetAsync(TableNames.VerificationRequests, ct);
        var existing = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {input.CorrelationId}"), cancellationToken: ct))
            existing[row.RowKey] = row;
        var now = clock.GetUtcNow();
        var requests = units.Select(unit => (Unit: unit, RequestId: existing.TryGetValue(unit.Code, out var row) ? row.GetString("RequestId") : Ids.New(clock))).ToList();
        var memberRefs = string.Join(",", members.Select(m => m.MemberRef));
        foreach (var chunk in requests.Where(r => !existing.ContainsKey(r.Unit.Code)).Chunk(100))
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(input.CorrelationId, r.Unit.Code)
            {
                ["ApplicationId"] = input.ApplicationId,
                ["RequestId"] = r.RequestId,
                ["Unit"] = r.Unit.Code,
                ["MemberRefs"] = memberRefs,
                ["SentAt"] = now,
            })), ct);

        var subjects = members.Select(m => new VerificationSubject(m.MemberRef, m.Name, m.IdNumber, $"consent/{input.ApplicationId}/{m.MemberRef}")).ToList();
        var notSent = new System.Collections.Concurrent.ConcurrentBag<string>();
        var toSend = requests.Where(r => existing.GetValueOrDefault(r.Unit.Code)?.GetString("ReplyHash") is null);
        await Parallel.ForEachAsync(toSend, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (r, token) =>
        {
            try
            {
                var queue = queues.GetQueueClient(r.Unit.RequestQueue);
                if (!createdQueues.ContainsKey(queue.Name))
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: token);
                    createdQueues.TryAdd(queue.Name, 0);
                }
                var request = new VerificationRequest(r.RequestId, input.CorrelationId, r.Unit.Code, subjects, Purpose, r.Unit.Categories, now);
                var envelope = await codec.SealRequestAsync(request, token);
                await queue.SendMessageAsync(PartnerCodec.Serialize(envelope), token); // the client base64-encodes
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                logger.LogWarning(e, "Request to partner unit {Unit} for {CorrelationId} not queued; will be sent again", r.Unit.Code, input.CorrelationId);
                notSent.Add(r.Unit.Code);
            }
        });
        return new SendRequestsOutcome(notSent.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Handles one message from <c>partner-replies</c>. A reply for an unknown correlation or request, or one that does not
    /// answer about exactly the members asked, is logged and dropped; a message that is not a valid envelope (or fails
    /// authentication) throws, so it ends in <c>partner-replies-poison</c>. Duplicates are harmless: the first stored reply
    /// wins and the unit's event is raised again (the orchestration ignores extras).
    /// </summary>
    public async Task HandleReplyAsync(string message, CancellationToken ct)
    {
        var envelope = PartnerCodec.Parse(message);
        var reply = await codec.OpenReplyAsync(envelope, ct);
        if (!VerificationNames.TryParseInstance(envelope.CorrelationId, out var applicationId, out var round))
        {
            logger.LogWarning("Rejected partner reply {MessageId} from {Unit}: unknown correlation id", envelope.Id, reply.UnitCode);
            return;
        }
        var table = await tables.GetAsync(TableNames.VerificationRequests, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(envelope.CorrelationId, reply.UnitCode, cancellationToken: ct);
        if (!found.HasValue || found.Value!.GetString("RequestId") != reply.RequestId)
        {
            logger.LogWarning("Rejected partner reply {MessageId} from {Unit}: no such request", envelope.Id, reply.UnitCode);
            return;
        }
        var row = found.Value;
        var asked = (row.GetString("MemberRefs") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (!asked.Order(StringComparer.Ordinal).SequenceEqual(reply.Subjects.Select(r => r.MemberRef).Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            logger.LogWarning("Rejected partner reply {MessageId} from {Unit}: it does not answer about the members asked", envelope.Id, reply.UnitCode);
            return;
        }
        if (row.GetString("ReplyHash") is null)
        {
            // The round closes unanswered requests when its deadline passes; a reply after that is late.
            var late = row.GetDateTimeOffset("ClosedAt") is not null;
            row["AnsweredAt"] = reply.AnsweredAt;
            row["ReceivedAt"] = clock.GetUtcNow();
            row["ReplyHash"] = Sm3.HashHex(message);
            row["Reply"] = cipher.Encrypt(JsonSerializer.Serialize(reply, JsonDefaults.Options), ReplyAad(envelope.CorrelationId, reply.UnitCode));
            row["Late"] = late;
            try { await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct); }
            catch (Exception e) when (Optimistic.IsConflict(e))
            {
                // A redelivery stored it first, or the round closed meanwhile: decide again from the stored row.
                logger.LogInformation("Reply {MessageId} raced with another writer; re-reading", envelope.Id);
                var current = (await table.GetEntityAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: ct)).Value;
                if (current.GetBoolean("Late") == true || current.GetString("ReplyHash") is null) return;
            }
            if (late)
            {
                logger.LogInformation("Late reply from {Unit} for application {ApplicationId} recorded, not used", reply.UnitCode, applicationId);
                return;
            }
        }
        else if (row.GetBoolean("Late") == true) return;
        // Stored first, raised second: a raise that fails fails the message, whose redelivery finds the stored reply and raises again.
        await workflow.UnitAnsweredAsync(applicationId, round, new UnitAnsweredNotice(reply.UnitCode, reply.Subjects.Count), ct);
    }

    /// <summary>
    /// Builds the report and the eligibility decision from the replies received in time, stores both with the application
    /// (the report encrypted), marks unanswered requests closed so later replies count as late, and returns the outcome.
    /// </summary>
    public async Task<VerificationOutcome> CompleteAsync(CompleteInput input, CancellationToken ct)
    {
        var record = await applications.RecordAsync(input.ApplicationId, ct) ?? throw new InvalidOperationException("Application missing.");
        var program = applications.Program(record.Program);
        var members = applications.MembersOf(record);
        var table = await tables.GetAsync(TableNames.VerificationRequests, ct);
        var figures = new List<ReportedFigure>();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {input.CorrelationId}"), cancellationToken: ct))
        {
            var unit = row.GetString("Unit");
            if (row.GetString("Reply") is not { } sealedReply || row.GetBoolean("Late") == true || input.UnitsNotAnswered.Contains(unit))
            {
                if (row.GetDateTimeOffset("ClosedAt") is null)
                {
                    row["ClosedAt"] = now;
                    await table.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
                }
                continue;
            }
            var reply = JsonSerializer.Deserialize<VerificationReply>(cipher.Decrypt(sealedReply, ReplyAad(input.CorrelationId, unit)), JsonDefaults.Options)!;
            // A unit that could not answer about someone is recorded as failed, as a whole.
            if (reply.Subjects.Any(r => r.Status == ReplyStatus.Error)) { failed.Add(unit); continue; }
            figures.AddRange(catalogue.ReportedFigures(reply, row.GetString("ReplyHash")));
        }
        var report = HouseholdEconomicReport.Build(members.Count, figures, input.UnitsAsked, input.UnitsNotAnswered, failed.Except(input.UnitsNotAnswered).ToList());
        var decision = EligibilityDecision.Decide(program, report);
        var sealedReport = cipher.Encrypt(JsonSerializer.Serialize(report, JsonDefaults.Options), ReportAad(input.ApplicationId));
        await applications.UpdateAsync(input.ApplicationId, r => r with
        {
            VerifiedAt = now,
            VerificationRound = input.Round,
            ReportCipher = sealedReport,
            Decision = decision,
            IncomePerCapita = report.Value(ReportField.MonthlyIncomePerCapita),
        }, ct);
        return new VerificationOutcome(decision.Outcome, decision.Provisional, input.UnitsNotAnswered.Count);
    }

    /// <summary>
    /// The verification of an application the caller may see (checked and audited like reading the application): the stored
    /// report and decision and, while a round runs, its progress.
    /// </summary>
    public async Task<Result<VerificationView>> GetAsync(CallContext call, string applicationId)
    {
        var found = await applications.FindForAsync(call, applicationId, "assistance.read");
        if (found.Problem is { } problem) return problem;
        var record = found.Value!;
        var round = record.VerificationRound ?? 0;
        VerificationProgress? progress = null;
        if (record.Status == ApplicationStatus.Verifying && await workflow.VerificationProgressAsync(applicationId, call.Cancellation) is { } running)
        {
            progress = running;
            round = record.VerificationRoundStarted ?? round;
        }
        var report = record.ReportCipher is { } r ? JsonSerializer.Deserialize<HouseholdEconomicReport>(cipher.Decrypt(r, ReportAad(applicationId)), JsonDefaults.Options) : null;
        var missing = (report?.UnitsNotAnswered ?? []).Select(c => new UnitView(c, catalogue.Find(c)?.Name ?? c)).ToList();
        return Result.Ok(new VerificationView(applicationId, record.Status, round, progress, report, record.Decision, missing, record.VerifiedAt,
            report is null ? null : Compare(applications.MembersOf(record), report)));
    }

    /// <summary>Per-capita declarations against the verified report.</summary>
    public static IReadOnlyList<DeclaredComparison> Compare(IReadOnlyList<StoredMember> members, HouseholdEconomicReport report)
    {
        var n = Math.Max(1, members.Count);
        DeclaredComparison Row(ReportField field, decimal declared)
        {
            var perCapita = Math.Round(declared / n, 2);
            var verified = report.Value(field);
            return new DeclaredComparison(field, perCapita, verified, verified - perCapita > Math.Max(100m, perCapita * 0.1m));
        }
        return [Row(ReportField.MonthlyIncomePerCapita, members.Sum(m => m.DeclaredMonthlyIncome)), Row(ReportField.FinancialAssetsPerCapita, members.Sum(m => m.DeclaredFinancialAssets))];
    }

    static string ReplyAad(string instanceId, string unit) => $"verification/{instanceId}/{unit}";
    static string ReportAad(string applicationId) => $"assistance/{applicationId}/report";
}
