using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

public sealed record WeChatLoginRequest(string? Code);
public sealed record RealNameRequest(string? Name, string? IdNumber);
public sealed record RealNameResult(CitizenSession Session, PersonView Person);

/// <summary>Citizen sign-in through WeChat and real-name binding.</summary>
public sealed class IdentityFunctions(CitizenAccounts accounts, PersonIndex persons, AccessGuard guard)
{
    [Function("WeChatLogin")]
    [PublicEndpoint("登录入口", Login = true)]
    [ApiOperation("identity", "微信登录（小程序 code 换取令牌）", Request = typeof(WeChatLoginRequest))]
    [ApiResponse(200, "登录成功", Body = typeof(CitizenSession))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "code 无效或已使用")]
    [ApiResponse(429, "请求过于频繁")]
    public async Task<IActionResult> Login(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/wechat/login")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<WeChatLoginRequest>(req, 2048, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        if (body.Value!.Code is not { Length: > 0 and <= 128 } code)
            return Problems.Validation([new FieldError("code", "请提供 wx.login 返回的 code。")]);
        return await accounts.LoginAsync(code, context.InvocationId, context.CancellationToken) switch
        {
            LoginOutcome.Success s => new OkObjectResult(s.Session),
            LoginOutcome.InvalidCode => Problems.Create(401, "WECHAT_CODE_INVALID", "微信登录凭证无效", "code 无效、已过期或已使用，请重新调用 wx.login。"),
            LoginOutcome.Rejected r => Problems.Create(401, "WECHAT_LOGIN_REJECTED", "微信登录失败", $"微信返回错误（{r.ErrCode}），请稍后重试。"),
            _ => throw new InvalidOperationException(),
        };
    }

    [Function("BindRealName")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "实名认证（姓名 + 身份证号与人口库比对）", Request = typeof(RealNameRequest))]
    [ApiResponse(200, "已实名，返回新令牌", Body = typeof(RealNameResult))]
    [ApiResponse(400, "身份证号码无效（说明未通过的校验）")]
    [ApiResponse(401, "未登录")]
    [ApiResponse(403, "非市民账号")]
    [ApiResponse(422, "姓名与身份证号不匹配")]
    public async Task<IActionResult> BindRealName(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/realname")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<RealNameRequest>(req, 2048, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return await accounts.BindRealNameAsync(access.Caller!, body.Value!.Name, body.Value.IdNumber, context.InvocationId, context.CancellationToken) switch
        {
            BindOutcome.Bound b => new OkObjectResult(new RealNameResult(b.Session, b.Person)),
            BindOutcome.Invalid i => Problems.Validation(i.Errors),
            BindOutcome.Mismatch => Problems.Create(422, "REALNAME_MISMATCH", "实名信息不匹配", "姓名与身份证号码未能与人口信息库匹配，请核对或到社区登记。"),
            _ => throw new InvalidOperationException(),
        };
    }

    [Function("GetMyProfile")]
    [RequirePermission(Permission.OwnAccount)]
    [ApiOperation("identity", "我的信息（已实名市民）")]
    [ApiResponse(200, "本人信息（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(401, "未登录")]
    [ApiResponse(404, "尚未实名认证")]
    public async Task<IActionResult> Me(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (access.Caller!.PersonId is not { } personId)
            return Problems.NotFound("REALNAME_REQUIRED", "尚未实名认证", "请先通过 POST /api/auth/realname 完成实名认证。");
        return await persons.ReadAsync(access.Caller, personId, null, context.InvocationId, context.CancellationToken) is PersonOutcome.Found f
            ? new OkObjectResult(f.View)
            : PersonFunctions.PersonNotFound();
    }
}

public sealed record LookupRequest(string? IdNumber);

/// <summary>The person index for staff: register, read (masked by role), look up by ID number.</summary>
public sealed class PersonFunctions(PersonIndex persons, AccessGuard guard)
{
    [Function("RegisterPerson")]
    [RequirePermission(Permission.RegisterPerson)]
    [ApiOperation("identity", "登记人员（人口信息库）", Request = typeof(PersonRegistration),
        Description = "身份证号码校验（GB 11643 校验码、出生日期、地区码），姓名、身份证号、电话、地址加密存储；按居住地行政区划归属管辖。")]
    [ApiResponse(201, "已登记（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(400, "请求内容有误，说明未通过的校验")]
    [ApiResponse(403, "超出管辖范围")]
    [ApiResponse(409, "该身份证号已登记")]
    public async Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<PersonRegistration>(req, 8192, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return await persons.RegisterAsync(access.Caller!, body.Value!, context.InvocationId, context.CancellationToken) switch
        {
            PersonOutcome.Found f => new CreatedResult($"/api/persons/{f.View.Id}", f.View),
            PersonOutcome.Invalid i => Problems.Validation(i.Errors),
            PersonOutcome.OutOfScope => Problems.Create(403, "OUT_OF_JURISDICTION", "超出管辖范围", "只能登记本辖区居民。"),
            PersonOutcome.AlreadyRegistered a => Problems.Create(409, "PERSON_ALREADY_REGISTERED", "该居民已登记",
                a.PersonId is { } id ? $"已有登记记录：{id}。" : "该居民已在其他辖区登记。"),
            _ => throw new InvalidOperationException(),
        };
    }

    [Function("GetPerson")]
    [RequirePermission(Permission.ReadPerson)]
    [ApiOperation("identity", "查看人员", Description = "默认脱敏；角色需要且说明目的（purpose）时返回明文并记审计。")]
    [ApiQuery("purpose", "使用目的", Type = typeof(AccessPurpose))]
    [ApiResponse(200, "人员信息", Body = typeof(PersonView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "persons/{id}")] HttpRequest req,
        string id,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        if (!JsonRequest.TryEnumQuery<AccessPurpose>(req, "purpose", out var purpose, out var problem)) return problem!;
        return await persons.ReadAsync(access.Caller!, id, purpose, context.InvocationId, context.CancellationToken) is PersonOutcome.Found f
            ? new OkObjectResult(f.View)
            : PersonNotFound();
    }

    [Function("LookupPerson")]
    [RequirePermission(Permission.LookupPerson)]
    [ApiOperation("identity", "按身份证号查找人员", Request = typeof(LookupRequest), Description = "身份证号放在请求体中，不出现在 URL 里。")]
    [ApiResponse(200, "人员（脱敏）", Body = typeof(PersonView))]
    [ApiResponse(400, "身份证号码无效")]
    [ApiResponse(404, "未找到或不在管辖范围内")]
    public async Task<IActionResult> Lookup(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons/lookup")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<LookupRequest>(req, 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return await persons.LookupAsync(access.Caller!, body.Value!.IdNumber, context.InvocationId, context.CancellationToken) switch
        {
            PersonOutcome.Found f => new OkObjectResult(f.View),
            PersonOutcome.Invalid i => Problems.Validation(i.Errors),
            _ => PersonNotFound(),
        };
    }

    public static ObjectResult PersonNotFound() => Problems.NotFound("PERSON_NOT_FOUND", "人员不存在", "没有找到该人员，或不在您的管辖范围内。");
}
