using CivilAffairs.Application.Funeral.TellUsOnce;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Funeral;

/// <summary>The family's Tell Us Once page (一次告知进度).</summary>
public sealed class TellUsOnceFunctions(TellUsOnceService tellUsOnce, HttpEndpoint http)
{
    [Function("GetTellUsOnce")]
    [RequirePermission(Permission.ReadTellUsOnce)]
    [ApiOperation("funeral", "一次告知进度", Description = "申报人（本人账号）或辖区工作人员凭死亡登记号查看：哪些部门和单位已收到通知、哪些已确认、哪些逾期。")]
    [ApiResponse(200, "进度", Body = typeof(TellUsOnceView))]
    [ApiResponse(404, "没有该登记号，或不是申报人")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/tell-us-once/{reference}")] HttpRequest req, string reference, FunctionContext context) =>
        http.RunAsync(req, context, call => tellUsOnce.GetAsync(call, reference));
}
