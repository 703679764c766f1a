using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Elderly;

/// <summary>Elders enrolled in elderly-care services (养老服务对象): enrolment, contacts and consent, reads.</summary>
public sealed class ElderFunctions(ElderService elders, HttpEndpoint http)
{
    [Function("EnrolElder")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "纳入养老服务对象", Request = typeof(ElderEnrolment),
        Description = "对已登记居民（/api/persons）纳入服务：补贴对象类别、是否独居、住址坐标、联系人（亲属、社区工作人员）及其同意、开通的服务（alarmService 平安通、mealSubsidy 助餐补贴、homeCareBudget 居家服务补贴）。须在本人管辖范围内；发放助餐卡号（与身份证号无关）。")]
    [ApiResponse(201, "已纳入", Body = typeof(ElderView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(409, "该居民已纳入服务")]
    public Task<IActionResult> Enrol(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "elderly/elders")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<ElderEnrolment, ElderView>(req, context, 16 * 1024, elders.EnrolAsync);

    [Function("ListElders")]
    [RequirePermission(Permission.ReadElders)]
    [ApiOperation("elderly", "服务对象名单", Description = "本人管辖范围内（或其中某一区划 jurisdiction）的服务对象；电话、地址脱敏。")]
    [ApiResponse(200, "名单", Body = typeof(ElderList))]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/elders")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, call => elders.ListAsync(call, Query.Text(req, "jurisdiction")));

    [Function("GetElder")]
    [RequirePermission(Permission.ReadElders)]
    [ApiOperation("elderly", "查看服务对象", Description = "管辖范围内的工作人员、老人本人及有账号的联系人可查看；purpose=contact 等用途按角色显示完整电话和地址，并记入审计。")]
    [ApiResponse(200, "服务对象", Body = typeof(ElderView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "elderly/elders/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<AccessPurpose>(req, "purpose").ThenAsync(purpose => elders.GetAsync(call, id, purpose)));

    [Function("UpdateElderContacts")]
    [RequirePermission(Permission.ManageElders)]
    [ApiOperation("elderly", "更新联系人及同意", Request = typeof(ContactsUpdate),
        Description = "整体替换联系人名单。consented=true 的联系人记录同意时间（已同意者保留原时间）；未同意的联系人不会收到任何报警通知。")]
    [ApiResponse(200, "已更新", Body = typeof(ElderView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> UpdateContacts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "elderly/elders/{id}/contacts")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<ContactsUpdate, ElderView>(req, context, 16 * 1024, (call, body) => elders.UpdateContactsAsync(call, id, body));
}
