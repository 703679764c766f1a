using CivilAffairs.Application.Funeral.Memorials;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Funeral.Memorials;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Funeral.Memorials;

/// <summary>Online memorials: the family's page (consent, privacy, family list, photo), the public page, messages with moderation, offerings.</summary>
public sealed class MemorialFunctions(MemorialService memorials, HttpEndpoint http)
{
    [Function("CreateMemorial")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "建立网上纪念页", Request = typeof(CreateMemorialRequest),
        Description = "逝者近亲属（须实名认证）建立纪念页：姓名、生卒日期、生平简介，公开范围 public（公开，可被列出）、linkOnly（凭链接访问）、familyOnly（仅家属名单中的家属）。须记录近亲属同意：同意人、关系、同意公开的内容（nameAndDates 必选，biography、photo、messages 可选）；未同意返回 400 MEMORIAL_CONSENT_REQUIRED。建立人为管理人。autoPublish 为 true 时普通留言无须审核直接发布。")]
    [ApiResponse(201, "已建立", Body = typeof(MemorialAdminView))]
    [ApiResponse(400, "请求内容有误或未经近亲属同意")]
    [ApiResponse(403, "未实名认证")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials")] HttpRequest req, FunctionContext context) =>
        http.RunAsync<CreateMemorialRequest, MemorialAdminView>(req, context, 32 * 1024, memorials.CreateAsync);

    [Function("GetMemorialPage")]
    [PublicEndpoint("公开或凭链接访问的纪念页（经近亲属同意公开的内容）；仅家属可见的纪念页须登录且在家属名单中")]
    [ApiOperation("funeral", "查看纪念页",
        Description = "预先生成的纪念页：逝者姓名、生卒日期、经同意公开的简介和照片、各类祭奠数量、已审核通过的留言。公开和凭链接访问的纪念页可被公共缓存（Cache-Control: public, max-age），带 ETag，If-None-Match 命中时返回 304。仅家属可见的纪念页对家属以外的人返回 404。")]
    [ApiResponse(200, "纪念页", Body = typeof(MemorialPageView))]
    [ApiResponse(304, "未修改（If-None-Match）")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Page(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => memorials.GetPageAsync(call, id));

    [Function("ListPublicMemorials")]
    [PublicEndpoint("公开纪念页的列表（姓名和生卒日期）")]
    [ApiOperation("funeral", "公开纪念页列表", Description = "公开范围为 public 的纪念页，最新的在前（最多 100 个）；可被公共缓存。")]
    [ApiResponse(200, "列表", Body = typeof(MemorialList))]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> ListPublic(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, memorials.ListPublicAsync);

    [Function("GetMemorialPhoto")]
    [PublicEndpoint("经近亲属同意公开的逝者照片；仅家属可见的纪念页须为家属")]
    [ApiOperation("funeral", "纪念页照片")]
    [ApiResponse(200, "照片")]
    [ApiResponse(404, "没有照片、不存在或无权查看")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Photo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}/photo")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => memorials.GetPhotoAsync(call, id));

    [Function("UploadMemorialPhoto")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "上传逝者照片", Description = "multipart/form-data，字段 file：JPEG、PNG 或 WebP，不超过 5 MB（按内容识别类型）。仅管理人；须近亲属同意公开照片（photo）。")]
    [ApiResponse(200, "已上传", Body = typeof(MemorialAdminView))]
    [ApiResponse(400, "文件不符合要求")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "未同意公开照片")]
    [ApiResponse(415, "须为 multipart/form-data")]
    public Task<IActionResult> UploadPhoto(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "memorials/{id}/photo")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => FormBody.ReadAsync(req, MemorialService.MaxPhotoBytes, call.Cancellation).ThenAsync(async form =>
        {
            if (form.Files.GetFile("file") is not { } file) return Problem.Invalid("file", "请选择要上传的照片（字段名 file）。");
            await using var content = file.OpenReadStream();
            return await memorials.PhotoAsync(call, id, file.FileName, file.ContentType, file.Length, content);
        }));

    [Function("GetMemorialForFamily")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "家属查看纪念页设置", Description = "同意记录、家属名单、公开范围和留言发布方式；仅家属名单中的人可查看。")]
    [ApiResponse(200, "纪念页", Body = typeof(MemorialAdminView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> ForFamily(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}/family-view")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => memorials.GetAdminAsync(call, id));

    [Function("ListOwnMemorials")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "本人作为家属的纪念页")]
    [ApiResponse(200, "列表", Body = typeof(MemorialList))]
    public Task<IActionResult> ListOwn(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "family/memorials")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, memorials.ListOwnAsync);

    [Function("AddMemorialFamilyMember")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "添加家属或管理人", Request = typeof(FamilyMemberRequest),
        Description = "仅建立人：按姓名和身份证号码（放在请求体）核验后将亲属加入家属名单；moderator 为 true 时可审核留言、预约代祭扫。")]
    [ApiResponse(200, "已添加", Body = typeof(MemorialAdminView))]
    [ApiResponse(400, "身份核验未通过或关系有误")]
    [ApiResponse(404, "不存在或无权操作")]
    public Task<IActionResult> AddFamily(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials/{id}/family")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<FamilyMemberRequest, MemorialAdminView>(req, context, 2048, (call, body) => memorials.AddFamilyAsync(call, id, body));

    [Function("PostMemorialMessage")]
    [RequirePermission(Permission.VisitMemorials)]
    [ApiOperation("funeral", "留言寄语", Request = typeof(MessageRequest),
        Description = "经分词的关键词筛查：明显辱骂、冒犯的留言被拒绝（422 OFFENSIVE_MESSAGE，不保存）；可能不妥的留言进入家属审核队列；普通留言也须家属审核后发布，除非家属选择自动发布。")]
    [ApiResponse(201, "已提交（待审核或已发布）", Body = typeof(MessageView))]
    [ApiResponse(400, "留言为空或过长")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "未开放留言")]
    [ApiResponse(422, "含有冒犯性内容")]
    public Task<IActionResult> PostMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials/{id}/messages")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<MessageRequest, MessageView>(req, context, 4096, (call, body) => memorials.PostMessageAsync(call, id, body));

    [Function("MemorialModerationQueue")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "留言审核队列", Description = "待审核的留言（flagged 为 true 的为筛查认为可能不妥的）；仅管理人。")]
    [ApiResponse(200, "待审核留言", Body = typeof(MessageList))]
    [ApiResponse(404, "不存在或无权操作")]
    public Task<IActionResult> Queue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}/moderation")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => memorials.ModerationQueueAsync(call, id));

    [Function("DecideMemorialMessage")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "审核留言", Request = typeof(ModerationRequest), Description = "decision：approved（通过，立即出现在纪念页）或 rejected（拒绝）；仅管理人，记入审计。")]
    [ApiResponse(200, "已处理", Body = typeof(MessageView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权操作")]
    [ApiResponse(409, "已处理过")]
    public Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials/{id}/messages/{messageId}/decision")] HttpRequest req, string id, string messageId, FunctionContext context) =>
        http.RunAsync<ModerationRequest, MessageView>(req, context, 1024, (call, body) => memorials.DecideAsync(call, id, messageId, body));

    [Function("MakeMemorialOffering")]
    [RequirePermission(Permission.VisitMemorials)]
    [ApiOperation("funeral", "网上祭奠（献花、点烛、敬香等）", Request = typeof(OfferingRequest),
        Description = "kind：flowers 献花、candle 点烛、incense 敬香、wreath 献花圈、fruit 供果、bow 鞠躬。按类计数，纪念页上的数量在数秒内更新。")]
    [ApiResponse(200, "已祭奠", Body = typeof(OfferingReceipt))]
    [ApiResponse(400, "祭奠方式有误")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Offer(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials/{id}/offerings")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<OfferingRequest, OfferingReceipt>(req, context, 1024, (call, body) => memorials.OfferAsync(call, id, body));
}

/// <summary>Proxy grave sweeping (代祭扫): the family orders and sees the photo proof; the cemetery's staff complete orders.</summary>
public sealed class SweepingOrderFunctions(SweepingOrderService sweepings, HttpEndpoint http)
{
    [Function("OrderGraveSweeping")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "预约代祭扫", Request = typeof(SweepingOrderRequest),
        Description = "纪念页管理人预约公墓代为祭扫：site 公墓（如 gz-yinhe 银河园）、date 日期（明天起 90 天内）、services（cleanTombstone 清扫墓碑、presentFlowers 敬献鲜花、repaintInscription 描红碑文、bowOnBehalf 代为鞠躬致敬、readMessage 宣读家属寄语）、plot 墓位、note 附言。")]
    [ApiResponse(201, "已预约", Body = typeof(SweepingOrderView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "纪念页不存在或无权操作")]
    public Task<IActionResult> Order(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "memorials/{id}/sweepings")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync<SweepingOrderRequest, SweepingOrderView>(req, context, 4096, (call, body) => sweepings.OrderAsync(call, id, body));

    [Function("ListMemorialSweepings")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "家属查看代祭扫订单", Description = "该纪念页的代祭扫订单、状态和祭扫照片地址；仅家属。")]
    [ApiResponse(200, "订单", Body = typeof(SweepingOrderList))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> ListForFamily(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}/sweepings")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => sweepings.ListForFamilyAsync(call, id));

    [Function("GetSweepingPhoto")]
    [RequirePermission(Permission.ManageMemorials)]
    [ApiOperation("funeral", "家属查看祭扫照片")]
    [ApiResponse(200, "照片")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Photo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "memorials/{id}/sweepings/{orderId}/photos/{photo}")] HttpRequest req, string id, string orderId, string photo, FunctionContext context) =>
        http.RunAsync(req, context, call => sweepings.PhotoForFamilyAsync(call, id, orderId, photo));

    [Function("SweepingWorklist")]
    [RequirePermission(Permission.DeliverSweeping)]
    [ApiOperation("funeral", "公墓代祭扫工作单", Description = "本公墓（账号所属单位）的代祭扫订单，按日期排序；status 可选 ordered、completed。")]
    [ApiQuery("status", "ordered 或 completed")]
    [ApiResponse(200, "订单", Body = typeof(SweepingOrderList))]
    [ApiResponse(400, "参数有误")]
    public Task<IActionResult> Worklist(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/sweepings")] HttpRequest req, FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<SweepingStatus>(req, "status").ThenAsync(status => sweepings.WorklistAsync(call, status)));

    [Function("GetSweepingOrder")]
    [RequirePermission(Permission.DeliverSweeping)]
    [ApiOperation("funeral", "公墓查看代祭扫订单")]
    [ApiResponse(200, "订单", Body = typeof(SweepingOrderView))]
    [ApiResponse(404, "不存在或不是本公墓的订单")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/sweepings/{orderId}")] HttpRequest req, string orderId, FunctionContext context) =>
        http.RunAsync(req, context, call => sweepings.GetForStaffAsync(call, orderId));

    [Function("CompleteGraveSweeping")]
    [RequirePermission(Permission.DeliverSweeping)]
    [ApiOperation("funeral", "完成代祭扫并上传照片",
        Description = "multipart/form-data，字段 photo（1 至 6 张，JPEG、PNG 或 WebP，每张不超过 5 MB，按内容识别类型）。仅本公墓工作人员；已完成的订单不能重复提交（409 SWEEPING_ALREADY_COMPLETED）。")]
    [ApiResponse(200, "已完成", Body = typeof(SweepingOrderView))]
    [ApiResponse(400, "照片不符合要求")]
    [ApiResponse(404, "不存在或不是本公墓的订单")]
    [ApiResponse(409, "已完成")]
    [ApiResponse(413, "请求体过大")]
    [ApiResponse(415, "须为 multipart/form-data")]
    public Task<IActionResult> Complete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/sweepings/{orderId}/completion")] HttpRequest req, string orderId, FunctionContext context) =>
        http.RunAsync(req, context, call => FormBody.ReadAsync(req, SweepingRules.MaxPhotos * SweepingOrderService.MaxPhotoBytes, call.Cancellation).ThenAsync(async form =>
        {
            var files = form.Files.GetFiles("photo");
            var streams = files.Select(f => f.OpenReadStream()).ToList();
            try
            {
                return await sweepings.CompleteAsync(call, orderId, [.. files.Select((f, i) => new ProofPhoto(f.FileName, f.ContentType, f.Length, streams[i]))]);
            }
            finally
            {
                foreach (var s in streams) await s.DisposeAsync();
            }
        }));
}
