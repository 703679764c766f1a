using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Funeral.Deaths;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Orchestrations.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CivilAffairs.Functions.Funeral;

/// <summary>Death registration (死亡登记): staff entry with the certificate scan, and certificates sent by hospitals and the police.</summary>
public sealed class DeathFunctions(DeathService deaths, PartnerCodec codec, HttpEndpoint http, WorkflowClient workflows)
{
    [Function("RegisterDeath")]
    [RequirePermission(Permission.RecordDeath)]
    [ApiOperation("funeral", "死亡登记", Request = typeof(DeathRegistrationRequest),
        Description = "依据医学死亡证明（medical）或公安机关死亡证明（police）登记死亡，身份证号码只放在请求体中，须在人口信息库中。登记后一次告知（Tell Us Once）："
            + "社会救助、养老服务、婚姻登记随即处理，社保、医保、公积金、公安户籍、银行等单位收到通知并回执；申报人凭登记号查看进度。同一证明重复提交返回原登记（200）。")]
    [ApiResponse(201, "已登记", Body = typeof(DeathRegistrationView))]
    [ApiResponse(200, "同一证明已登记过（返回原登记）", Body = typeof(DeathRegistrationView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(404, "不在管辖范围内")]
    [ApiResponse(409, "此人已登记死亡（另一份证明）")]
    [ApiResponse(422, "人口信息库中没有此人")]
    public Task<IActionResult> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "funeral/deaths")] HttpRequest req,
        [DurableClient] DurableTaskClient durable, FunctionContext context) =>
        http.With(durable).RunAsync<DeathRegistrationRequest, DeathRegistrationView>(req, context, 8 * 1024, deaths.RegisterAsync);

    [Function("GetDeathRegistration")]
    [RequirePermission(Permission.RecordDeath)]
    [ApiOperation("funeral", "查看死亡登记")]
    [ApiResponse(200, "死亡登记（姓名、身份证号码已脱敏）", Body = typeof(DeathRegistrationView))]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "funeral/deaths/{id}")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => deaths.GetAsync(call, id));

    [Function("UploadDeathCertificate")]
    [RequirePermission(Permission.RecordDeath)]
    [ApiOperation("funeral", "上传死亡证明扫描件", Description = "multipart/form-data，字段 file：PDF、JPEG 或 PNG，不超过 5 MB（按文件内容识别类型）。")]
    [ApiResponse(200, "已上传", Body = typeof(DeathRegistrationView))]
    [ApiResponse(400, "文件不符合要求")]
    [ApiResponse(404, "不存在或不在管辖范围内")]
    [ApiResponse(415, "须为 multipart/form-data")]
    public Task<IActionResult> Certificate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "funeral/deaths/{id}/certificate")] HttpRequest req, string id, FunctionContext context) =>
        http.RunAsync(req, context, call => FormBody.ReadAsync(req, DeathService.MaxCertificateBytes, call.Cancellation).ThenAsync(async form =>
        {
            if (form.Files.GetFile("file") is not { } file) return Problem.Invalid("file", "请选择死亡证明扫描件（字段名 file）。");
            await using var content = file.OpenReadStream();
            return await deaths.UploadCertificateAsync(call, id, file.FileName, file.ContentType, file.Length, content);
        }));

    /// <summary>
    /// A certificate from the hospital (health commission) or police system: registered like a staff entry; the same certificate
    /// twice is recognised; an unknown or already-deceased person, or a message that does not open, fails and after the dequeue
    /// limit is quarantined in <c>partner-death-certificates-poison</c> for review (the refusal is audited).
    /// </summary>
    [Function("ReceiveDeathCertificate")]
    public async Task Receive([QueueTrigger(QueueNames.DeathCertificates)] string message, [DurableClient] DurableTaskClient durable, FunctionContext context)
    {
        using var _ = workflows.Use(durable);
        await deaths.HandleCertificateMessageAsync(message, codec, context.CancellationToken);
    }
}
