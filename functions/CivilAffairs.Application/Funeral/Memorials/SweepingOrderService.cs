using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Funeral.Memorials;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Funeral.Memorials;

/// <summary>One photo of a completion, as the function read it from the form.</summary>
public sealed record ProofPhoto(string? FileName, string? ContentType, long Length, Stream Content);

/// <summary>
/// Proxy grave sweeping (代祭扫): a memorial's moderator orders a sweeping at a cemetery for a date; the cemetery's staff (their
/// channel is the site) see the orders of their cemetery and complete one with photo proof (JPEG/PNG/WebP, checked by content,
/// stored in Blob storage); the family sees the photos. Staff of another cemetery get 404 (audited); an order is completed once —
/// a second completion is refused (409) and its photos are not kept.
/// </summary>
public sealed class SweepingOrderService(SweepingOrderRepository sweepings, MemorialRepository memorials, AuditLog audit, IOptions<MemorialOptions> options, TimeProvider clock)
{
    public const long MaxPhotoBytes = 5 * 1024 * 1024;
    static readonly UploadKind[] PhotoKinds = [UploadKind.Jpeg, UploadKind.Png, UploadKind.Webp];

    Dictionary<string, string> Cemeteries => options.Value.Cemeteries;

    public async Task<Result<SweepingOrderView>> OrderAsync(CallContext call, string memorialId, SweepingOrderRequest request)
    {
        var (caller, requestId, ct) = call;
        var stored = await memorials.GetAsync(memorialId, ct);
        if (stored is null || !MemorialRules.IsModerator(stored.Memorial, caller.PersonId))
        {
            if (stored is not null) await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.order", AuditOutcome.Denied, Detail: $"{memorialId}:notModerator"), requestId, ct);
            return MemorialProblems.MemorialNotFound();
        }
        var services = request.Services?.Distinct().ToList();
        var rejections = SweepingRules.CheckOrder(request.Site is { } s && Cemeteries.ContainsKey(s), request.Date, services, request.Plot?.Trim(), request.Note?.Trim(), ChinaTime.Today(clock));
        if (rejections.Count > 0) return MemorialProblems.Rejected(rejections);
        var order = new SweepingOrder
        {
            Id = Ids.New(clock), MemorialId = memorialId, Site = request.Site!, Date = request.Date!.Value, Services = services!, Plot = request.Plot!.Trim(),
            Note = request.Note?.Trim() is { Length: > 0 } n ? n : null, OrderedBy = caller.Subject, OrderedAt = clock.GetUtcNow(), Status = SweepingStatus.Ordered,
        };
        await sweepings.AddAsync(order, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.order", AuditOutcome.Success, Detail: $"{memorialId}:{order.Id}:{order.Site}:{order.Date:O}"), requestId, ct);
        return Result.Created(View(order, stored.Memorial.Name), $"/api/memorials/{memorialId}/sweepings/{order.Id}");
    }

    /// <summary>The memorial's orders with their photos, for its family.</summary>
    public async Task<Result<SweepingOrderList>> ListForFamilyAsync(CallContext call, string memorialId)
    {
        var (caller, requestId, ct) = call;
        var stored = await FamilyAsync(call, memorialId);
        if (stored is null) return MemorialProblems.MemorialNotFound();
        var orders = await sweepings.OfMemorialAsync(memorialId, ct);
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.read", AuditOutcome.Success, Detail: $"{memorialId}:{orders.Count}"), requestId, ct);
        return Result.Ok(new SweepingOrderList([.. orders.OrderBy(o => o.Date).Select(o => View(o, stored.Memorial.Name))]));
    }

    /// <summary>A proof photo of an order, for the memorial's family.</summary>
    public async Task<Result<FileBody>> PhotoForFamilyAsync(CallContext call, string memorialId, string orderId, string photo)
    {
        var ct = call.Cancellation;
        if (!int.TryParse(photo, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return MemorialProblems.SweepingNotFound();
        if (await FamilyAsync(call, memorialId) is null) return MemorialProblems.MemorialNotFound();
        var order = await sweepings.FindAsync(orderId, ct);
        if (order is null || order.Order.MemorialId != memorialId || number < 1 || number > order.Order.Photos.Count) return MemorialProblems.SweepingNotFound();
        if (await memorials.GetBlobAsync(MemorialRepository.ProofContainer, order.Order.Photos[number - 1], ct) is not { } file) return MemorialProblems.SweepingNotFound();
        return Result.Ok(new FileBody(file.Content, file.ContentType));
    }

    /// <summary>The cemetery's orders (its staff: the caller's channel is the site), by date.</summary>
    public async Task<Result<SweepingOrderList>> WorklistAsync(CallContext call, SweepingStatus? status)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role != Role.FuneralStaff || caller.Channel is not { } site || !Cemeteries.ContainsKey(site)) return Result.Ok(new SweepingOrderList([]));
        var orders = await sweepings.OfSiteAsync(site, status, ct);
        var views = new List<SweepingOrderView>();
        foreach (var o in orders.OrderBy(o => o.Date))
            views.Add(View(o, (await memorials.GetAsync(o.MemorialId, ct))?.Memorial.Name ?? ""));
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.read", AuditOutcome.Success, Detail: $"{site}:worklist:{views.Count}"), requestId, ct);
        return Result.Ok(new SweepingOrderList(views));
    }

    public async Task<Result<SweepingOrderView>> GetForStaffAsync(CallContext call, string orderId)
    {
        var (caller, requestId, ct) = call;
        if (await StaffOrderAsync(call, orderId, "funeral.sweeping.read") is not { } order) return MemorialProblems.SweepingNotFound();
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.read", AuditOutcome.Success, Detail: $"{order.Order.Site}:{orderId}"), requestId, ct);
        return Result.Ok(View(order.Order, (await memorials.GetAsync(order.Order.MemorialId, ct))?.Memorial.Name ?? "", staff: true));
    }

    /// <summary>Staff of the order's cemetery complete it with photo proof; a completed order is not completed again.</summary>
    public async Task<Result<SweepingOrderView>> CompleteAsync(CallContext call, string orderId, IReadOnlyList<ProofPhoto> photos)
    {
        var (caller, requestId, ct) = call;
        if (await StaffOrderAsync(call, orderId, "funeral.sweeping.complete") is not { } order) return MemorialProblems.SweepingNotFound();
        if (SweepingRules.CheckCompletion(order.Order, photos.Count) is { } no)
        {
            if (no.Code == "SWEEPING_ALREADY_COMPLETED")
                await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.complete", AuditOutcome.Denied, Detail: $"{order.Order.Site}:{orderId}:alreadyCompleted"), requestId, ct);
            return MemorialProblems.Rejected(no);
        }
        var checkedPhotos = new List<(byte[] Bytes, UploadCheck Check)>();
        for (var i = 0; i < photos.Count; i++)
        {
            var p = photos[i];
            var bytes = await MemorialService.ReadAllAsync(p.Content, p.Length, MaxPhotoBytes, ct);
            var check = UploadPolicy.Check(p.FileName, p.ContentType, p.Length, bytes, MaxPhotoBytes, PhotoKinds);
            if (!check.Ok) return Problem.Invalid(check.Errors, $"第 {i + 1} 张照片不符合要求：须为 JPEG、PNG 或 WebP 格式，不超过 5 MB。");
            checkedPhotos.Add((bytes, check));
        }
        var names = new List<string>();
        foreach (var (bytes, check) in checkedPhotos)
        {
            var name = $"{orderId}/{check.SafeName}";
            await memorials.PutBlobAsync(MemorialRepository.ProofContainer, name, bytes, check.ContentType, ct);
            names.Add(name);
        }
        var completed = order.Order with { Status = SweepingStatus.Completed, CompletedBy = caller.Subject, CompletedAt = clock.GetUtcNow(), Photos = names };
        try
        {
            await sweepings.UpdateAsync(completed, order.ETag, ct);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 412)
        {
            // Someone completed it meanwhile: this completion is not applied, and its photos are not kept.
            foreach (var name in names) await memorials.DeleteBlobAsync(MemorialRepository.ProofContainer, name, ct);
            await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.complete", AuditOutcome.Denied, Detail: $"{order.Order.Site}:{orderId}:alreadyCompleted"), requestId, ct);
            return MemorialProblems.Rejected(SweepingRules.CheckCompletion(order.Order with { Status = SweepingStatus.Completed }, names.Count)!);
        }
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.complete", AuditOutcome.Success, Detail: $"{order.Order.Site}:{orderId}:photos={names.Count}"), requestId, ct);
        return Result.Ok(View(completed, (await memorials.GetAsync(completed.MemorialId, ct))?.Memorial.Name ?? "", staff: true));
    }

    async Task<StoredSweeping?> StaffOrderAsync(CallContext call, string orderId, string action)
    {
        var (caller, requestId, ct) = call;
        var order = await sweepings.FindAsync(orderId, ct);
        if (order is null) return null;
        if (caller.IsFuneralStaffOf(order.Order.Site)) return order;
        await audit.AppendAsync(caller, new AuditEvent(action, AuditOutcome.Denied, Detail: $"{orderId}:otherSite"), requestId, ct);
        return null;
    }

    async Task<StoredMemorial?> FamilyAsync(CallContext call, string memorialId)
    {
        var (caller, requestId, ct) = call;
        var stored = await memorials.GetAsync(memorialId, ct);
        if (stored is null) return null;
        if (MemorialRules.IsFamily(stored.Memorial, caller.PersonId)) return stored;
        await audit.AppendAsync(caller, new AuditEvent("funeral.sweeping.read", AuditOutcome.Denied, Detail: $"{memorialId}:notFamily"), requestId, ct);
        return null;
    }

    SweepingOrderView View(SweepingOrder o, string memorialName, bool staff = false) => new(o.Id, o.MemorialId, memorialName, o.Site, Cemeteries.GetValueOrDefault(o.Site, o.Site), o.Date,
        o.Services, [.. o.Services.Select(s => s.ChineseName())], o.Plot, o.Note, o.Status, o.Status.ChineseName(), o.OrderedAt, o.CompletedAt,
        staff ? [] : [.. o.Photos.Select((_, i) => $"/api/memorials/{o.MemorialId}/sweepings/{o.Id}/photos/{i + 1}")]);
}
