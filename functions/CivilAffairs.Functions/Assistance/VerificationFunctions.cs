using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Assistance.Verification;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Assistance;

/// <summary>Partner replies and the verification result.</summary>
public sealed class VerificationFunctions(VerificationService verification, WorkflowClient workflows, HttpEndpoint http)
{
    /// <summary>Replies from all partner units (CloudEvents, sealed with the unit's key). A malformed message ends in partner-replies-poison.</summary>
    [Function("ReceivePartnerReply")]
    public async Task ReceiveReply(
        [QueueTrigger(PartnerQueues.Replies)] string message,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        await verification.HandleReplyAsync(message, context.CancellationToken);
    }

    [Function("GetVerification")]
    [RequirePermission(Permission.ReadAssistance)]
    [ApiOperation("assistance", "家庭经济状况核对报告与资格判定",
        Description = "每项数据注明来源单位、答复时间和答复报文的 SM3 哈希（证据），列出未答复的单位；按项目规则逐条说明判定（数值、阈值、是否通过）。核对进行中时返回进度（已询单位、已答复、超期）。申请人可查看本人家庭的报告。")]
    [ApiResponse(200, "核对结果", Body = typeof(VerificationView))]
    [ApiResponse(404, "不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assistance/applications/{id}/verification")] HttpRequest req,
        string id,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context) =>
        http.With(durable).RunAsync(req, context, call => verification.GetAsync(call, id));
}
