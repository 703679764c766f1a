using System.Text.RegularExpressions;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Elderly;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Elderly.Meals;

/// <summary>
/// Meals at the till (助餐刷卡). A meal point's terminal (a registered device, role <c>device</c>) sends each meal with the
/// elder's meal card number; the elder is found by the card's blind index, the subsidy priced by <see cref="MealSubsidy.Record"/>
/// (tier by category, city/district split, district share dropped outside the elder's district; refused after the day of
/// death or without an active meal-subsidy enrolment) and recorded once per receipt (<see cref="MealLedger"/>). The same
/// receipt again answers the same meal; the same receipt with another elder, time or price is 409 <c>MEAL_RECEIPT_CONFLICT</c>.
/// </summary>
public sealed partial class MealTransactionService(MealPointService points, MealLedger ledger, ElderRepository elders, DeviceService devices,
    AuditLog audit, TimeProvider clock)
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ReceiptPattern();

    public static Problem CardNotFound() => Problem.NotFound("MEAL_CARD_NOT_FOUND", "助餐卡无效", "没有找到持有该助餐卡的老人，请核对卡号或二维码。");

    public static Problem ReceiptConflict(string receiptId) =>
        Problem.Conflict("MEAL_RECEIPT_CONFLICT", "小票编号重复", $"小票{receiptId}已用于另一笔就餐记录（老人、时间或价格不同）。", [new FieldError("receiptId", "小票编号已被使用")]);

    public async Task<Result<MealTransactionView>> RecordAsync(CallContext call, MealTransactionRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (request.ReceiptId is not { } receiptId || !ReceiptPattern().IsMatch(receiptId))
            errors.Add(new FieldError("receiptId", "请提供小票编号（字母、数字、- 或 _，不超过 64 位）。"));
        if (string.IsNullOrWhiteSpace(request.CardNumber) || request.CardNumber.Length > 64)
            errors.Add(new FieldError("cardNumber", "请提供助餐卡号或二维码内容。"));
        if (request.Price is { } p && (p <= 0 || p > 200 || decimal.Round(p, 2) != p))
            errors.Add(new FieldError("price", "价格须大于 0 元、不超过 200 元，最多两位小数。"));
        if (errors.Count > 0) return Problem.Invalid(errors);
        if (await devices.CheckAsync(caller, ct) is not DeviceCheck.Active active) return await TerminalRefusalAsync(caller, ct);
        var point = await points.OfTerminalAsync(active.Device.Id, ct);
        if (point is null)
            return Problem.Forbidden("该设备不是已登记长者饭堂的助餐终端。", "MEAL_TERMINAL_NOT_REGISTERED", "不是助餐终端");
        var servedAt = Seconds(request.ServedAt ?? clock.GetUtcNow());

        var stored = await elders.FindByMealCardAsync(request.CardNumber!.Trim(), ct);
        if (stored is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("elderly.meal.record", AuditOutcome.NotFound, Detail: $"{point.Point.Id}/{request.ReceiptId}:unknownCard"), requestId, ct);
            return CardNotFound();
        }
        var elder = stored.Elder;
        var mealPoint = request.Price is { } price ? point.Point with { MenuPrice = price } : point.Point;

        for (var attempt = 0; ; attempt++)
        {
            var existing = await ledger.FindAsync(point.Point.Id, request.ReceiptId!, ct);
            if (existing is not null && !SameContent(existing, elder.Id, servedAt, request.Price))
            {
                await audit.AppendAsync(caller, new AuditEvent("elderly.meal.record", AuditOutcome.Failed, elder.Id, Detail: $"{point.Point.Id}/{request.ReceiptId}:MEAL_RECEIPT_CONFLICT"), requestId, ct);
                return ReceiptConflict(request.ReceiptId!);
            }
            var outcome = MealSubsidy.Record(request.ReceiptId!, elder, stored.EnrolmentFor(ElderCareService.MealSubsidy), mealPoint, servedAt,
                existing is null ? [] : [existing.Transaction], clock);
            if (!outcome.Accepted)
            {
                await audit.AppendAsync(caller, new AuditEvent("elderly.meal.record", AuditOutcome.Denied, elder.Id, Detail: $"{point.Point.Id}/{request.ReceiptId}:{outcome.Rejection!.Code}"), requestId, ct);
                return Problem.Rejected(outcome.Rejections);
            }
            var recording = outcome.Value;
            var meal = new StoredMeal(recording.Transaction, request.Price);
            if (recording.Kind == MealRecordingKind.Duplicate)
            {
                await ledger.CopyAsync(existing!, ct);
                await audit.AppendAsync(caller, new AuditEvent("elderly.meal.record", AuditOutcome.Success, elder.Id, Detail: $"{point.Point.Id}/{request.ReceiptId}:duplicate"), requestId, ct);
                return Result.Ok(ViewOf(recording.Transaction, elder, duplicate: true));
            }
            if (!await ledger.AddAsync(meal, ct))
            {
                if (attempt < 2) continue;   // recorded by a concurrent retry of the same receipt: compare with it
                throw new InvalidOperationException("Receipt row kept colliding.");
            }
            await audit.AppendAsync(caller, new AuditEvent("elderly.meal.record", AuditOutcome.Success, elder.Id, Detail: $"{point.Point.Id}/{request.ReceiptId}"), requestId, ct);
            return Result.Created(ViewOf(recording.Transaction, elder, duplicate: false), null);
        }
    }

    /// <summary>
    /// Is a resent receipt the same meal? Same elder, same time (to the second) and the same price sent (or none both times).
    /// The meal point is the same by construction (receipts are kept per point).
    /// </summary>
    public static bool SameContent(StoredMeal stored, string elderId, DateTimeOffset servedAt, decimal? priceSent) =>
        stored.Transaction.ElderId == elderId && Seconds(stored.Transaction.ServedAt) == Seconds(servedAt) && stored.PriceSent == priceSent;

    static DateTimeOffset Seconds(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    async Task<Problem> TerminalRefusalAsync(Caller caller, CancellationToken ct) => await devices.CheckAsync(caller, ct) switch
    {
        DeviceCheck.Revoked => new Problem(401, "DEVICE_REVOKED", "设备已被吊销", "该助餐终端已被吊销，其令牌不再有效；如需继续使用请由工作人员重新登记。"),
        _ => new Problem(403, "DEVICE_NOT_REGISTERED", "设备未登记", "该设备未在平台登记。请由工作人员登记长者饭堂及其助餐终端。"),
    };

    public static MealTransactionView ViewOf(MealTransaction t, Elder? elder, bool duplicate) => new(t.ReceiptId, t.MealPointId, t.ElderId,
        elder is null ? null : Masking.MaskName(elder.Name), t.Date, t.ServedAt, t.Quote.Tier, TierName(t.Quote.Tier), t.Quote.Price, t.Quote.Subsidy,
        t.Quote.CityPays, t.Quote.DistrictPays, t.Quote.ElderPays, t.Quote.OutOfDistrict, duplicate);

    public static string TierName(SubsidyTier tier) => tier switch
    {
        SubsidyTier.Tier1 => "一档（特困、低保）",
        SubsidyTier.Tier2 => "二档（低收入、80岁以上）",
        _ => "三档（60–79岁）",
    };
}
