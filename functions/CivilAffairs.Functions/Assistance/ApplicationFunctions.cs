using System.Globalization;
using CivilAffairs.Application.Assistance;
using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Body of <c>POST .../{id}/accept</c> (optional).</summary>
public sealed record AcceptRequest(bool? MaterialsCheckedAtCounter);

/// <summary>Social-assistance applications: submission at any office (无差别受理), reading, materials, worklist, acceptance.</summary>
public sealed class ApplicationFunctions(AssistanceApplications applications, AssistanceMaterials materials, AssistanceCases cases, AccessGuard guard)
{
    [Function("SubmitAssistanceApplication")]
    [RequirePermission(Permission.SubmitAssistance)]
    [ApiOperation("assistance", "提交社会救助申请", Request = typeof(ApplicationRequest),
        Description = "市民在线为本人家庭申请，或工作人员在任一街道、社区为任意地址的家庭代为提交（无差别受理）。每位成员须签署核对授权书；一人只能在一个在办家庭中。")]
    [ApiResponse(201, "已提交", Body = typeof(ApplicationView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "无权提交")]
    [ApiResponse(409, "成员已在其他在办申请中")]
    public async Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<ApplicationRequest>(req, 64 * 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return Map(await applications.SubmitAsync(access.Caller!, body.Value!, context.InvocationId, context.CancellationToken), created: true);
    }

    [Function("GetAssistanceApplication")]
    [RequirePermission(Permission.ReadAssistance)]
    [ApiOperation("assistance", "查看救助申请", Description = "工作人员按居住地管辖查看；市民只能查看本人家庭的申请。含当前环节的法定时限（工作日）。")]
    [ApiResponse(200, "申请", Body = typeof(ApplicationView))]
    [ApiResponse(404, "不存在或无权查看")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications/{id}")] HttpRequest req,
        string id,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        return Map(await applications.GetAsync(access.Caller!, id, context.InvocationId, context.CancellationToken), created: false);
    }

    [Function("ListAssistanceApplications")]
    [RequirePermission(Permission.AssistanceWorklist)]
    [ApiOperation("assistance", "救助申请工作台（待办列表）", Description = "按管辖范围分页列出申请（姓名脱敏），可按状态、行政区划筛选；每条标明当前环节的法定期限，超期的标记 overdue。")]
    [ApiQuery("status", "状态：submitted、verifying、publicity、awaitingDecision、granted 等")]
    [ApiQuery("division", "行政区划代码（须在本人管辖范围内），默认本人管辖范围")]
    [ApiQuery("overdue", "true 时只列超期件", Type = typeof(bool))]
    [ApiQuery("pageSize", "每页条数（1–100，默认 20）", Type = typeof(int))]
    [ApiQuery("continuationToken", "下一页令牌")]
    [ApiResponse(200, "一页申请", Body = typeof(WorklistPage))]
    [ApiResponse(400, "查询参数有误")]
    [ApiResponse(403, "区划不在管辖范围内")]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var errors = new List<FieldError>();
        ApplicationStatus? status = null;
        if (req.Query["status"].ToString() is { Length: > 0 } s)
        {
            if (Enum.TryParse<ApplicationStatus>(s, ignoreCase: true, out var parsed) && !int.TryParse(s, out _)) status = parsed;
            else errors.Add(new FieldError("status", $"状态无效，可选：{string.Join("、", Enum.GetNames<ApplicationStatus>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}。"));
        }
        var division = req.Query["division"].ToString() is { Length: > 0 } d ? d : null;
        if (division is not null && (division.Length is not (6 or 9 or 12) || !division.All(char.IsAsciiDigit)))
            errors.Add(new FieldError("division", "行政区划代码须为 6、9 或 12 位数字。"));
        var pageSize = 20;
        if (req.Query["pageSize"].ToString() is { Length: > 0 } ps && (!int.TryParse(ps, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) || pageSize is < 1 or > 100))
            errors.Add(new FieldError("pageSize", "每页条数须为 1 到 100。"));
        var overdue = string.Equals(req.Query["overdue"], "true", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0) return Problems.Validation(errors);
        var token = req.Query["continuationToken"].ToString() is { Length: > 0 } t ? t : null;
        var page = await applications.WorklistAsync(access.Caller!, division, status, overdue, pageSize, token, context.CancellationToken);
        return page.Forbidden
            ? Problems.Create(403, "OUT_OF_JURISDICTION", "超出管辖范围", "所查询的行政区划不在您的管辖范围内。")
            : new OkObjectResult(page);
    }

    [Function("UploadAssistanceMaterial")]
    [RequirePermission(Permission.SubmitAssistance)]
    [ApiOperation("assistance", "上传申请材料",
        Description = "multipart/form-data：file（PDF、JPEG 或 PNG，不超过 10 MB，按内容识别类型）、code（事项清单中的材料代码）、original（是否原件）、issuedOn、validUntil（yyyy-MM-dd）。按事项材料规则逐项检查，并返回仍缺少或不符合的材料（一次性告知）。")]
    [ApiResponse(201, "已保存", Body = typeof(MaterialsView))]
    [ApiResponse(400, "材料不符合要求")]
    [ApiResponse(404, "申请不存在或无权操作")]
    [ApiResponse(409, "当前环节不能补充材料")]
    [ApiResponse(415, "不是 multipart/form-data")]
    public async Task<IActionResult> UploadMaterial(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/materials")] HttpRequest req,
        string id,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!req.HasFormContentType) return Problems.UnsupportedMediaType();
        if (req.ContentLength > AssistanceMaterials.MaxBytes + 64 * 1024) return Problems.TooLarge(AssistanceMaterials.MaxBytes);
        IFormCollection form;
        try { form = await req.ReadFormAsync(context.CancellationToken); }
        catch (InvalidDataException) { return Problems.MalformedJson("表单格式不正确。"); }
        var errors = new List<FieldError>();
        var file = form.Files.GetFile("file");
        if (file is null) errors.Add(new FieldError("file", "请选择要上传的文件（字段名 file）。"));
        DateOnly? Date(string field)
        {
            var v = form[field].ToString();
            if (v.Length == 0) return null;
            if (DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            errors.Add(new FieldError(field, "日期格式须为 yyyy-MM-dd。"));
            return null;
        }
        var issuedOn = Date("issuedOn");
        var validUntil = Date("validUntil");
        var original = !string.Equals(form["original"], "false", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0) return Problems.Validation(errors);
        await using var stream = file!.OpenReadStream();
        var outcome = await materials.UploadAsync(access.Caller!, id,
            new MaterialUpload(form["code"].ToString(), original, issuedOn, validUntil, file.FileName, file.ContentType, file.Length, stream),
            context.InvocationId, context.CancellationToken);
        return outcome switch
        {
            MaterialOutcome.Stored s => new CreatedResult($"/api/assistance/applications/{id}/materials", s.All),
            MaterialOutcome.Invalid i => Problems.Validation(i.Errors, "材料不符合要求，请按提示修改后重新上传。"),
            MaterialOutcome.Conflict c => Problems.Create(409, "MATERIALS_CLOSED", "不能补充材料", c.Detail),
            _ => AssistanceProblems.ApplicationNotFound(),
        };
    }

    [Function("ListAssistanceMaterials")]
    [RequirePermission(Permission.ReadAssistance)]
    [ApiOperation("assistance", "查看申请材料及缺件情况")]
    [ApiResponse(200, "材料", Body = typeof(MaterialsView))]
    [ApiResponse(404, "不存在或无权查看")]
    public async Task<IActionResult> ListMaterials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications/{id}/materials")] HttpRequest req,
        string id,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (await applications.GetAsync(access.Caller!, id, context.InvocationId, context.CancellationToken) is not ApplicationOutcome.Ok ok) return AssistanceProblems.ApplicationNotFound();
        return new OkObjectResult(await materials.ListAsync(id, applications.Program(ok.View.Program), context.CancellationToken));
    }

    [Function("AcceptAssistanceApplication")]
    [RequirePermission(Permission.AcceptAssistance)]
    [ApiOperation("assistance", "受理救助申请并启动家庭经济状况核对", Request = typeof(AcceptRequest),
        Description = "居住地街道受理。材料须齐全（或经办人当面核验原件：materialsCheckedAtCounter=true）；受理后启动持久化办理流程：跨部门核对、公示、区级审核确认。")]
    [ApiResponse(202, "已受理，核对进行中", Body = typeof(ApplicationView))]
    [ApiResponse(400, "材料不齐全")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "状态不允许受理")]
    public async Task<IActionResult> Accept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/accept")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var counter = false;
        if (req.ContentLength is > 0 || !string.IsNullOrEmpty(req.ContentType))
        {
            var body = await JsonRequest.ReadAsync<AcceptRequest>(req, 4 * 1024, context.CancellationToken);
            if (!body.Ok) return body.Problem!;
            counter = body.Value!.MaterialsCheckedAtCounter == true;
        }
        var outcome = await applications.AcceptAsync(access.Caller!, id, counter, materials, context.InvocationId, context.CancellationToken);
        if (outcome is not ApplicationOutcome.Ok ok) return Map(outcome, created: false);
        await cases.StartAsync(durable, id, context.CancellationToken);
        return new AcceptedResult($"/api/assistance/applications/{id}/verification", ok.View);
    }

    static IActionResult Map(ApplicationOutcome outcome, bool created) => outcome switch
    {
        ApplicationOutcome.Ok ok when created => new CreatedResult($"/api/assistance/applications/{ok.View.Id}", ok.View),
        ApplicationOutcome.Ok ok => new OkObjectResult(ok.View),
        ApplicationOutcome.Invalid { Code: "MATERIALS_INCOMPLETE" } i => Problems.Create(400, "MATERIALS_INCOMPLETE", "材料不齐全", "以下材料缺少或不符合要求，请补齐后再受理（或当面核验原件后注明 materialsCheckedAtCounter）。", i.Errors),
        ApplicationOutcome.Invalid i => Problems.Validation(i.Errors),
        ApplicationOutcome.Conflict c => Problems.Create(409, c.Code, "申请状态冲突", c.Detail),
        ApplicationOutcome.Forbidden f => Problems.Create(403, "FORBIDDEN", "无权执行此操作", f.Detail),
        _ => AssistanceProblems.ApplicationNotFound(),
    };
}
