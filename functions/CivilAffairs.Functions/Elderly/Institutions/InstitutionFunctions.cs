using CivilAffairs.Application.Elderly.Institutions;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Elderly.Institutions;

/// <summary>Care institutions (养老机构) for staff: registry, inspections, staffing, complaint handling, star rating.</summary>
public sealed class InstitutionFunctions(InstitutionService institutions, HttpEndpoint http)
{
    [Function("RegisterInstitution")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "登记养老机构", Request = typeof(RegisterInstitutionRequest),
        Description = "名称、备案/许可编号及有效期、床位数、所在行政区划（区、街道或社区代码，须在本人管辖范围内）、地址、性质（public 公办 / private 民办）。响应带 ETag。")]
    [ApiResponse(201, "已登记", Body = typeof(InstitutionView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "区划不在管辖范围内")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<RegisterInstitutionRequest, InstitutionView>(req, context, 16 * 1024, institutions.RegisterAsync);

    [Function("ListInstitutions")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "养老机构列表", Description = "本人管辖范围内的养老机构及其星级，按名称排序。")]
    [ApiQuery("district", "只列该区（6位区代码）的机构")]
    [ApiResponse(200, "机构列表", Body = typeof(InstitutionList))]
    [ApiResponse(400, "查询参数有误")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/institutions")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.ListAsync(call, Query.Text(req, "district")));

    [Function("GetInstitution")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "查看养老机构", Description = "响应带 ETag，修改时可用 If-Match 防止覆盖他人的修改。")]
    [ApiResponse(200, "机构", Body = typeof(InstitutionView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/institutions/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.GetAsync(call, id));

    [Function("UpdateInstitution")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "变更养老机构登记信息", Request = typeof(UpdateInstitutionRequest),
        Description = "只改所填字段；所在区不能变更；床位数不能少于最近登记的在住老人数。变更后重新评定星级。可带 If-Match（ETag），不一致时返回 412。")]
    [ApiResponse(200, "已变更", Body = typeof(InstitutionView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(403, "新区划不在管辖范围内")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(412, "If-Match 与当前版本不一致")]
    public Task<IActionResult> Update(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions/{id}/update")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<UpdateInstitutionRequest, InstitutionView>(req, context, 16 * 1024, (call, body) => institutions.UpdateAsync(call, id, body, Preconditions.IfMatch(req)));

    [Function("RecordInstitutionInspection")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "登记监督检查结果", Request = typeof(InspectionRequest),
        Description = "检查日期（不晚于今天）、得分 0–100、是否发现重大违规、检查发现（不超过 2000 字）。登记后立即重新评定星级。")]
    [ApiResponse(201, "已登记", Body = typeof(InspectionView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Inspect(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions/{id}/inspections")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<InspectionRequest, InspectionView>(req, context, 16 * 1024, (call, body) => institutions.RecordInspectionAsync(call, id, body));

    [Function("RecordInstitutionStaffing")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "登记护理人员配备", Request = typeof(StaffingRequest),
        Description = "统计日期（缺省为今天，不晚于今天）、护理员人数、在住老人数（0 到床位数）。登记后立即重新评定星级。")]
    [ApiResponse(201, "已登记", Body = typeof(StaffingView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Staffing(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions/{id}/staffing")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<StaffingRequest, StaffingView>(req, context, 4 * 1024, (call, body) => institutions.RecordStaffingAsync(call, id, body));

    [Function("LodgeInstitutionComplaint")]
    [RequirePermission(Permission.ComplainAboutInstitution)]
    [ApiOperation("elderly", "投诉养老机构", Request = typeof(ComplaintRequest),
        Description = "投诉内容不超过 1000 字，加密保存；回执不含任何个人信息。投诉经工作人员核查属实后计入星级评定。")]
    [ApiResponse(201, "已受理", Body = typeof(ComplaintReceipt))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "机构不存在")]
    public Task<IActionResult> Complain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions/{id}/complaints")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<ComplaintRequest, ComplaintReceipt>(req, context, 16 * 1024, (call, body) => institutions.LodgeComplaintAsync(call, id, body));

    [Function("ListInstitutionComplaints")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "机构的投诉列表", Description = "投诉内容与核查结论，最新在前；投诉人只显示身份类别（市民、社区工作者……）。查阅记入审计日志。")]
    [ApiResponse(200, "投诉列表", Body = typeof(ComplaintList))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Complaints(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/institutions/{id}/complaints")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.ListComplaintsAsync(call, id));

    [Function("DecideInstitutionComplaint")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "登记投诉核查结论", Request = typeof(ComplaintDecisionRequest),
        Description = "substantiated：true 经查属实、false 经查不属实；note 核查说明（可选，不超过 500 字）。每件投诉只核查一次；属实的投诉立即计入星级评定。")]
    [ApiResponse(200, "已登记", Body = typeof(ComplaintView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权查看")]
    [ApiResponse(409, "投诉已核查")]
    public Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/institutions/{id}/complaints/{complaintId}/decision")] HttpRequest req,
        string id,
        string complaintId,
        FunctionContext context) =>
        http.RunAsync<ComplaintDecisionRequest, ComplaintView>(req, context, 4 * 1024, (call, body) => institutions.DecideComplaintAsync(call, id, complaintId, body));

    [Function("GetInstitutionRating")]
    [RequirePermission(Permission.ManageInstitutions)]
    [ApiOperation("elderly", "星级评定及说明",
        Description = "当前星级、各项输入（检查得分、护理员配比、属实投诉）、权重与贡献、加权得分、适用的封顶规则和中文说明；输入不足时为“暂无评级”并列出原因。")]
    [ApiResponse(200, "星级评定", Body = typeof(InstitutionRatingView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Rating(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/institutions/{id}/rating")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => institutions.GetRatingAsync(call, id));
}
