using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Materials;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Social-assistance applications: submission at any office (无差别受理), reading, materials, worklist, acceptance.</summary>
public sealed class ApplicationFunctions(AssistanceApplicationService applications, MaterialService materials, HttpEndpoint http)
{
    [Function("SubmitAssistanceApplication")]
    [RequirePermission(Permission.SubmitAssistance)]
    [ApiOperation("assistance", "提交社会救助申请", Request = typeof(ApplicationRequest),
        Description = "市民在线为本人家庭申请，或工作人员在任一街道、社区为任意地址的家庭代为提交（无差别受理）。每位成员须签署核对授权书；一人只能在一个在办家庭中。")]
    [ApiResponse(201, "已提交", Body = typeof(ApplicationView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "无权提交")]
    [ApiResponse(409, "成员已在其他在办申请中")]
    public Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<ApplicationRequest, ApplicationView>(req, context, 64 * 1024, applications.SubmitAsync);

    [Function("GetAssistanceApplication")]
    [RequirePermission(Permission.ReadAssistance)]
    [ApiOperation("assistance", "查看救助申请", Description = "工作人员按居住地管辖查看；市民只能查看本人家庭的申请。含当前环节的法定时限（工作日）。")]
    [ApiResponse(200, "申请", Body = typeof(ApplicationView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => applications.GetAsync(call, id));

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
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => applications.WorklistAsync(call, new WorklistQuery(Query.Text(req, "division"), Query.Text(req, "status"),
            string.Equals(Query.Text(req, "overdue"), "true", StringComparison.OrdinalIgnoreCase), Query.Text(req, "pageSize"), Query.Text(req, "continuationToken"))));

    [Function("UploadAssistanceMaterial")]
    [RequirePermission(Permission.SubmitAssistance)]
    [ApiOperation("assistance", "上传申请材料",
        Description = "multipart/form-data：file（PDF、JPEG 或 PNG，不超过 10 MB，按内容识别类型）、code（事项清单中的材料代码）、original（是否原件）、issuedOn、validUntil（yyyy-MM-dd）。按事项材料规则逐项检查，并返回仍缺少或不符合的材料（一次性告知）。")]
    [ApiResponse(201, "已保存", Body = typeof(MaterialsView))]
    [ApiResponse(400, "材料不符合要求")]
    [ApiResponse(404, "申请不存在或无权操作")]
    [ApiResponse(409, "当前环节不能补充材料")]
    [ApiResponse(415, "不是 multipart/form-data")]
    public Task<IActionResult> UploadMaterial(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/materials")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => FormBody.ReadAsync(req, MaterialService.MaxBytes, call.Cancellation).ThenAsync(async form =>
        {
            if (form.Files.GetFile("file") is not { } file) return Problem.Invalid("file", "请选择要上传的文件（字段名 file）。");
            await using var content = file.OpenReadStream();
            return await materials.UploadAsync(call, id, new MaterialForm(form["code"], form["original"], form["issuedOn"], form["validUntil"]),
                file.FileName, file.ContentType, file.Length, content);
        }));

    [Function("ListAssistanceMaterials")]
    [RequirePermission(Permission.ReadAssistance)]
    [ApiOperation("assistance", "查看申请材料及缺件情况")]
    [ApiResponse(200, "材料", Body = typeof(MaterialsView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> ListMaterials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications/{id}/materials")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => materials.ListAsync(call, id));

    [Function("AcceptAssistanceApplication")]
    [RequirePermission(Permission.AcceptAssistance)]
    [ApiOperation("assistance", "受理救助申请并启动家庭经济状况核对", Request = typeof(AcceptRequest),
        Description = "居住地街道受理。材料须齐全（或经办人当面核验原件：materialsCheckedAtCounter=true）；受理后启动持久化办理流程：跨部门核对、公示、区级审核确认。")]
    [ApiResponse(202, "已受理，核对进行中", Body = typeof(ApplicationView))]
    [ApiResponse(400, "材料不齐全")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(409, "状态不允许受理")]
    public Task<IActionResult> Accept(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "assistance/applications/{id}/accept")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunWithOptionalBodyAsync<AcceptRequest, ApplicationView>(req, context, 4 * 1024,
            (call, body) => applications.AcceptAsync(call, id, body, materials));
}
