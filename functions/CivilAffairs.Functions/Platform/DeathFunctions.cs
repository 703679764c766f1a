using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Platform;

/// <summary>Deaths known to the bureau; other areas (assistance payments) stop on them.</summary>
public sealed class DeathFunctions(DeathRegister deaths, HttpEndpoint http)
{
    [Function("RecordDeath")]
    [RequirePermission(Permission.RecordDeath)]
    [ApiOperation("platform", "登记死亡信息", Request = typeof(DeathRecordRequest),
        Description = "来源：deathRegistration（死亡登记）、hospital、police、funeralHome、staff。身份证号只放在请求体中。登记后，含该成员的救助家庭暂停发放。")]
    [ApiResponse(201, "已登记", Body = typeof(DeathRecorded))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不在管辖范围内")]
    public Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "persons/deaths")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<DeathRecordRequest, DeathRecorded>(req, context, 4 * 1024, deaths.RecordAsync);
}
