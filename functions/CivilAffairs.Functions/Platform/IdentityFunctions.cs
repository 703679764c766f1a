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
public sealed class IdentityFunctions(CitizenAccounts accounts, RealNameBinding realName, PersonIndex persons, HttpEndpoint http)
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

    [Function("StartRealNameBinding")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "实名认证第一步：姓名 + 身份证号与人口库比对，向登记的手机号发送验证码", Request = typeof(RealNameRequest),
        Description = "比对一致后向人口信息库中登记的手机号发送 6 位验证码（5 分钟有效）；仅知道姓名和身份证号不足以完成实名。比对失败按人员计数，连续失败将暂时锁定。")]
    [ApiResponse(200, "验证码已发送", Body = typeof(RealNameChallenge))]
    [ApiResponse(400, "身份证号码无效（说明未通过的校验）")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非微信登录的市民账号")]
    [ApiResponse(409, "本账号已实名")]
    [ApiResponse(422, "姓名与身份证号不匹配，或人口库中没有手机号")]
    [ApiResponse(429, "失败次数过多已锁定，或获取验证码过于频繁")]
    [ApiResponse(503, "短信服务暂不可用")]
    public Task<IActionResult> StartRealName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/realname")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<RealNameRequest, RealNameChallenge>(req, context, 2048, realName.StartAsync);

    [Function("ConfirmRealNameBinding")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "实名认证第二步：输入短信验证码完成绑定", Request = typeof(RealNameConfirmation),
        Description = "一个身份只能绑定一个微信账号：已绑定其他账号的，须先在原账号解除绑定，或本人到窗口由工作人员解除。")]
    [ApiResponse(200, "已实名，返回新令牌", Body = typeof(RealNameResult))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非微信登录的市民账号")]
    [ApiResponse(409, "该身份已绑定其他账号")]
    [ApiResponse(422, "验证码不正确或已失效")]
    [ApiResponse(429, "失败次数过多，已暂时锁定")]
    public Task<IActionResult> ConfirmRealName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/realname/confirm")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<RealNameConfirmation, RealNameResult>(req, context, 1024, realName.ConfirmAsync);

    [Function("UnbindRealName")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "解除本账号的实名绑定")]
    [ApiResponse(200, "已解除，返回未实名的新令牌", Body = typeof(CitizenSession))]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非微信登录的市民账号")]
    public Task<IActionResult> UnbindRealName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/realname/unbind")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync(req, context, realName.UnbindOwnAsync);

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
public sealed class PersonFunctions(PersonIndex persons, RealNameBinding realName, HttpEndpoint http)
{
    [Function("UnbindPersonAccount")]
    [RequirePermission(Permission.UnbindAccount)]
    [ApiOperation("identity", "解除人员与微信账号的实名绑定（窗口办理）", Request = typeof(UnbindRequest),
        Description = "本人持身份证到窗口、原微信账号无法登录时使用；须填写原因，记入审计日志。解除后本人可在新账号重新实名（短信验证码发送到登记的手机号）。")]
    [ApiResponse(200, "已解除（或本来未绑定）", Body = typeof(UnbindResult))]
    [ApiResponse(400, "请填写原因")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Unbind(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons/{id}/unbind")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync<UnbindRequest, UnbindResult>(req, context, 2048, (call, body) => realName.UnbindByStaffAsync(call, id, body));

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
