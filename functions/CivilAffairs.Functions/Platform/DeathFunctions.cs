using CivilAffairs.Application.Platform.Http;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>Deaths known to the bureau; other areas (assistance payments) stop on them.</summary>
public sealed class DeathFunctions(DeathRegister deaths, AccessGuard guard)
{
    [Function("RecordDeath")]
    [RequirePermission(Permission.RecordDeath)]
    [ApiOperation("platform", "登记死亡信息", Request = typeof(DeathRecordRequest),
        Description = "来源：deathRegistration（死亡登记）、hospital、police、funeralHome、staff。身份证号只放在请求体中。登记后，含该成员的救助家庭暂停发放。")]
    [ApiResponse(201, "已登记")]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不在管辖范围内")]
    public async Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons/deaths")] HttpRequest req,
        FunctionContext context)
    {
        var access = await guard.CheckAsync(req, context);
        if (!access.Ok) return access.Problem!;
        var body = await JsonRequest.ReadAsync<DeathRecordRequest>(req, 4 * 1024, context.CancellationToken);
        if (!body.Ok) return body.Problem!;
        return await deaths.RecordAsync(access.Caller!, body.Value!, context.InvocationId, context.CancellationToken) switch
        {
            DeathOutcome.Recorded r => new ObjectResult(new { recorded = true, dateOfDeath = r.DateOfDeath }) { StatusCode = 201 },
            DeathOutcome.Invalid i => Problems.Validation(i.Errors),
            _ => Problems.NotFound("PERSON_NOT_FOUND", "人员不存在", "没有找到该人员，或不在您的管辖范围内。"),
        };
    }
}
