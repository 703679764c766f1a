using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Functions.Platform.Http;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace CivilAffairs.Functions.Disaster;

/// <summary>The problem details of a premature commit, for the API description: the indices of the blocks still missing.</summary>
public sealed record IncompleteUploadProblem(string Type, string Title, int Status, string Detail, string Code, IReadOnlyList<int> MissingBlocks);

/// <summary>Resumable uploads of photos and videos from registered field devices.</summary>
public sealed class UploadFunctions(UploadService uploads, HttpEndpoint http)
{
    [Function("CreateFieldUpload")]
    [RequirePermission(Permission.UploadFromDevice)]
    [ApiOperation("disaster", "创建分块上传（现场照片、视频）", Request = typeof(CreateUploadRequest),
        Description = "登记的设备声明文件名、类型（image/jpeg、image/png、image/webp、video/mp4）、大小，可附 sha256、事件/需求编号、位置（WGS-84，GPS/北斗）、拍摄时间、航向。返回上传编号、分块大小（默认 4 MiB）、分块数和过期时间。")]
    [ApiResponse(201, "上传会话", Body = typeof(UploadView))]
    [ApiResponse(400, "请求内容有误")]
    [ApiResponse(401, "设备已被吊销")]
    [ApiResponse(403, "设备未登记")]
    [ApiResponse(413, "设备上传配额不足")]
    public Task<IActionResult> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/uploads")] HttpRequest req,
        FunctionContext context) =>
        http.RunAsync<CreateUploadRequest, UploadView>(req, context, 8192, uploads.CreateAsync);

    [Function("PutFieldUploadBlock")]
    [RequirePermission(Permission.UploadFromDevice)]
    [ApiOperation("disaster", "上传一个分块",
        Description = "请求体为该块的原始字节（application/octet-stream），长度须等于分块大小（最后一块为余数）。可按任意顺序、重复发送：同一序号总是覆盖为同一块。可带 Content-MD5 校验。")]
    [ApiResponse(200, "已接收", Body = typeof(BlockReceipt))]
    [ApiResponse(400, "序号超出范围、长度不对、校验失败或传输中断（未保存）")]
    [ApiResponse(404, "上传不存在或不属于本设备")]
    [ApiResponse(409, "上传已提交")]
    [ApiResponse(410, "上传已过期")]
    public Task<IActionResult> PutBlock(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "disaster/uploads/{id}/blocks/{index}")] HttpRequest req,
        string id,
        string index,
        FunctionContext context) =>
        http.RunAsync(req, context, call => uploads.PutBlockAsync(call, id, index, req.Body, req.ContentLength, req.Headers["Content-MD5"].ToString()));

    [Function("GetFieldUpload")]
    [RequirePermission(Permission.ReadFieldUploads)]
    [ApiOperation("disaster", "查看上传（已收到/缺少的分块、位置、分析结果）",
        Description = "设备只能查看本设备的上传（据此断点续传）；工作人员可查看管辖范围内设备的上传。")]
    [ApiResponse(200, "上传", Body = typeof(UploadView))]
    [ApiResponse(404, "上传不存在或无权查看")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "disaster/uploads/{id}")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => uploads.GetAsync(call, id));

    [Function("CommitFieldUpload")]
    [RequirePermission(Permission.UploadFromDevice)]
    [ApiOperation("disaster", "提交上传（合并分块）",
        Description = "所有分块到齐后按序合并；按文件头核对类型（不符则删除并拒绝），计入设备配额，无位置时从 JPEG 的 EXIF 读取，随后排队做图像分析。重复提交返回相同结果。")]
    [ApiResponse(200, "已提交", Body = typeof(UploadView))]
    [ApiResponse(404, "上传不存在或不属于本设备")]
    [ApiResponse(409, "还有分块未收到（missingBlocks 列出序号）", Body = typeof(IncompleteUploadProblem))]
    [ApiResponse(410, "上传已过期")]
    [ApiResponse(413, "设备上传配额不足")]
    [ApiResponse(422, "文件内容与声明不符或校验失败（已删除）")]
    public Task<IActionResult> Commit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "disaster/uploads/{id}/commit")] HttpRequest req,
        string id,
        FunctionContext context) =>
        http.RunAsync(req, context, call => uploads.CommitAsync(call, id));
}
