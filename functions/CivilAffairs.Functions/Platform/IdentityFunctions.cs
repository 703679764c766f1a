using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>Citizen sign-in through WeChat and real-name binding.</summary>
public sealed class IdentityFunctions(CitizenAccounts accounts, PersonIndex persons, HttpEndpoint http)
{
    [Function("WeChatLogin")]
    [PublicEndpoint("登录入口", Login = true)]
    [ApiOperation("identity", "微信登录（小程序 code 换取令牌）", Request = typeof(WeChatLoginRequest))]
    [ApiResponse(200, "登录成功", Body = typeof(CitizenSession))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "code 无效或已使用")]
    [ApiResponse(429, "请求过于频繁")]
    public Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/wechat/login")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<WeChatLoginRequest, CitizenSession>(req, context, 2048, accounts.LoginAsync);

    [Function("BindRealName")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "实名认证（姓名 + 身份证号与人口库比对）", Request = typeof(RealNameRequest))]
    [ApiResponse(200, "已实名，返回新令牌", Body = typeof(RealNameResult))]
    [ApiResponse(400, "身份证号码无效（说明未通过的校验）")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非市民账号")]
    [ApiResponse(422, "姓名与身份证号不匹配")]
    public Task<IActionResult> BindRealName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/realname")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<RealNameRequest, RealNameResult>(req, context, 2048, accounts.BindRealNameAsync);

    [Function("GetMyProfile")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "我的信息（已实名市民）")]
    [ApiResponse(200, "本人信息（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(401, "未登录")]
    [ApiResponse(404, "尚未实名认证")]
    public Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, persons.ReadOwnAsync);
}

/// <summary>The person index for staff: register, read (masked by role), look up by ID number.</summary>
public sealed class PersonFunctions(PersonIndex persons, HttpEndpoint http)
{
    [Function("RegisterPerson")]
    [RequirePermission(Permission.RegisterPerson)]
    [ApiOperation("identity", "登记人员（人口信息库）", Request = typeof(PersonRegistration),
        Description = "身份证号码校验（GB 11643 校验码、出生日期、地区码），姓名、身份证号、电话、地址加密存储；按居住地行政区划归属管辖。")]
    [ApiResponse(201, "已登记（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(400, "请求内容有误，说明未通过的校验")]
    [ApiResponse(403, "超出管辖范围")]
    [ApiResponse(409, "该身份证号已登记")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<PersonRegistration, PersonView>(req, context, 8192, persons.RegisterAsync);

    [Function("GetPerson")]
    [RequirePermission(Permission.ReadPerson)]
    [ApiOperation("identity", "查看人员", Description = "默认脱敏；角色需要且说明目的（purpose）时返回明文并记审计。")]
    [ApiQuery("purpose", "使用目的", Type = typeof(AccessPurpose))]
    [ApiResponse(200, "人员信息", Body = typeof(PersonView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "persons/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => Query.Enum<AccessPurpose>(req, "purpose").ThenAsync(purpose => persons.ReadAsync(call, id, purpose)));

    [Function("LookupPerson")]
    [RequirePermission(Permission.LookupPerson)]
    [ApiOperation("identity", "按身份证号查找人员", Request = typeof(LookupRequest), Description = "身份证号放在请求体中，不出现在 URL 里。")]
    [ApiResponse(200, "人员（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(400, "身份证号码无效")]
    [ApiResponse(404, "未找到或不在管辖范围内")]
    public Task<IActionResult> Lookup(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons/lookup")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<LookupRequest, PersonView>(req, context, 1024, persons.LookupAsync);
}
