using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using CivilAffairs.Application.Disaster.Analysis;
using CivilAffairs.Application.Platform.Devices;
using CivilAffairs.Application.Platform;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Files;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Disaster.Needs;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Disaster.Uploads;

/// <summary>
/// Resumable uploads of photos and videos from field devices over flaky links. A device opens a session (size, type,
/// metadata), sends the file in fixed-size blocks in any order and as often as it likes (each index stages the block
/// with the same deterministic id, so a resend replaces the earlier copy), asks which blocks are still missing, and
/// commits. Each block goes straight to <c>StageBlockAsync</c>; no file is ever held in memory whole.
/// </summary>
/// <remarks>
/// <para>Session state: table <c>DisasterUploads</c> (PartitionKey = upload id, RowKey <c>session</c>), changed with
/// ETags. Which blocks arrived is read from the blob's block list itself, so parallel block uploads never contend for
/// the session row. Files: private container <c>disaster-uploads</c>, blob name = upload id (no device names, no
/// personal data).</para>
/// <para>Commit: all blocks present (else a problem listing the missing ones) → quota counted once per upload → block list
/// committed in index order → the first bytes sniffed against the declared type (a mismatch deletes the blob, gives the
/// quota back and rejects the session) → optional SHA-256 → position from the device, else from the JPEG's EXIF →
/// committed, analysis job queued. A second commit answers the same result.</para>
/// </remarks>
public sealed class UploadService(Tables tables, BlobServiceClient blobs, QueueServiceClient queues, DeviceService devices, AuditLog audit,
    IEnumerable<IIncidentDirectory> areaLookups, IOptions<UploadOptions> options, TimeProvider clock, ILogger<UploadService> logger)
{
    public const string Container = "disaster-uploads";
    const string SessionRow = "session";
    static readonly UploadKind[] Allowed = [UploadKind.Jpeg, UploadKind.Png, UploadKind.Webp, UploadKind.Mp4];
    static readonly Dictionary<string, (UploadKind Kind, string[] Extensions)> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = (UploadKind.Jpeg, [".jpg", ".jpeg"]),
        ["image/png"] = (UploadKind.Png, [".png"]),
        ["image/webp"] = (UploadKind.Webp, [".webp"]),
        ["video/mp4"] = (UploadKind.Mp4, [".mp4", ".m4v"]),
    };

    readonly Lazy<Task<BlobContainerClient>> container = new(async () =>
    {
        var c = blobs.GetBlobContainerClient(Container);
        await c.CreateIfNotExistsAsync(PublicAccessType.None);
        return c;
    });

    UploadOptions Options => options.Value;

    public async Task<Result<UploadView>> CreateAsync(CallContext call, CreateUploadRequest request)
    {
        var (caller, requestId, ct) = call;
        if (await ActiveDeviceAsync(caller, ct) is not { } device) return await DeviceRefusalAsync(caller, ct);

        var errors = new List<FieldError>();
        var contentType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (contentType is null || !ContentTypes.TryGetValue(contentType, out var declared))
        {
            errors.Add(new FieldError("contentType", "文件类型须为 image/jpeg、image/png、image/webp 或 video/mp4。"));
            declared = default;
        }
        if (string.IsNullOrWhiteSpace(request.FileName) || request.FileName.Length > 200)
            errors.Add(new FieldError("fileName", "请提供文件名（不超过 200 个字符）。"));
        else if (declared.Extensions is not null && Path.GetExtension(request.FileName).ToLowerInvariant() is { Length: > 0 } ext && !declared.Extensions.Contains(ext))
            errors.Add(new FieldError("fileName", "文件扩展名与声明的文件类型不符。"));
        if (request.Size is not { } size || size <= 0)
        {
            errors.Add(new FieldError("size", "请提供文件大小（字节，大于 0）。"));
            size = 0;
        }
        else if (size > Options.MaxFileBytes)
            errors.Add(new FieldError("size", $"文件不能超过 {Options.MaxFileBytes / (1024 * 1024)} MB。"));
        var blockSize = request.BlockSize ?? Options.DefaultBlockSize;
        if (blockSize is < BlockMath.MinBlockSize or > BlockMath.MaxBlockSize)
            errors.Add(new FieldError("blockSize", $"分块大小须在 {BlockMath.MinBlockSize / 1024} KB 到 {BlockMath.MaxBlockSize / (1024 * 1024)} MB 之间。"));
        else if (size > 0 && BlockMath.BlockCount(size, blockSize) > BlockMath.MaxBlocks)
            errors.Add(new FieldError("blockSize", $"分块数不能超过 {BlockMath.MaxBlocks}，请增大分块。"));
        var sha = request.Sha256?.Trim().ToLowerInvariant();
        if (sha is not null && (sha.Length != 64 || !sha.All(Uri.IsHexDigit)))
            errors.Add(new FieldError("sha256", "sha256 须为 64 位十六进制。"));
        if (request.IncidentId is { } incident && !IsId(incident)) errors.Add(new FieldError("incidentId", "事件编号格式不正确。"));
        if (request.NeedId is { } need && !IsId(need)) errors.Add(new FieldError("needId", "需求编号格式不正确。"));
        if (request.Position is { } p)
        {
            if (p.Lat is null || p.Lon is null) errors.Add(new FieldError("position", "位置须同时包含 lat 和 lon。"));
            else if (GeoPoint.Validate(p.Lat.Value, p.Lon.Value, p.Alt) is { } problem) errors.Add(new FieldError("position." + problem.Field switch { "latitude" => "lat", "longitude" => "lon", _ => "alt" }, problem.Reason));
        }
        if (request.Heading is { } h && (!double.IsFinite(h) || h < 0 || h > 360)) errors.Add(new FieldError("heading", "航向须为 0 到 360 度。"));
        if (request.TakenAt is { } t && (t > clock.GetUtcNow().AddDays(1) || t < clock.GetUtcNow().AddYears(-5))) errors.Add(new FieldError("takenAt", "拍摄时间不能晚于当前时间，也不能早于五年前。"));
        if (errors.Count > 0) return new Problem(400, "VALIDATION_FAILED", "请求内容有误", "请根据 errors 中的提示修改后重新提交。", errors);
        // A device names only incidents and needs of its own jurisdiction chain: it cannot change another district's needs.
        if ((request.IncidentId is not null || request.NeedId is not null) && areaLookups.FirstOrDefault() is { } directory
            && !await directory.InReachAsync(request.IncidentId, request.NeedId, device.Jurisdiction, ct))
        {
            await audit.AppendAsync(caller, new AuditEvent("disaster.upload.create", AuditOutcome.Denied, Detail: "incidentOrNeedOutOfReach"), requestId, ct);
            return request.NeedId is not null
                ? NeedService.NotFound()
                : Problem.NotFound("INCIDENT_NOT_FOUND", "灾害事件不存在", "没有找到该灾害事件，或它不在本设备所属辖区。");
        }

        if (device.UsedBytes + size > device.QuotaBytes) return QuotaProblem(device.UsedBytes, device.QuotaBytes, size);

        var id = Ids.New(clock);
        var now = clock.GetUtcNow();
        var entity = new TableEntity(id, SessionRow)
        {
            ["DeviceId"] = device.Id,
            ["Jurisdiction"] = device.Jurisdiction,
            ["FileName"] = UploadPolicy.SafeDisplayName(request.FileName),
            ["ContentType"] = contentType,
            ["Size"] = size,
            ["Sha256"] = sha,
            ["BlockSize"] = blockSize,
            ["BlockCount"] = BlockMath.BlockCount(size, blockSize),
            ["IncidentId"] = request.IncidentId,
            ["NeedId"] = request.NeedId,
            ["Lat"] = request.Position?.Lat,
            ["Lon"] = request.Position?.Lon,
            ["Alt"] = request.Position?.Alt,
            ["PositionSource"] = request.Position is null ? null : "device",
            ["Heading"] = request.Heading,
            ["TakenAt"] = request.TakenAt,
            ["Status"] = "open",
            ["CreatedAt"] = now,
            ["ExpiresAt"] = now + Options.SessionLifetime,
        };
        var table = await tables.GetAsync(TableNames.DisasterUploads, ct);
        await table.AddEntityAsync(entity, ct);
        await audit.AppendAsync(caller, new AuditEvent("disaster.upload.create", AuditOutcome.Success, Detail: id), requestId, ct);
        return Result.Created(ViewOf(entity, [], Enumerable.Range(0, BlockMath.BlockCount(size, blockSize)).ToList()), $"/api/disaster/uploads/{id}");
    }

    /// <summary>Stages one block. Idempotent and order-free; the body must be exactly the block's length (the last block holds the rest).</summary>
    public async Task<Result<BlockReceipt>> PutBlockAsync(CallContext call, string uploadId, string index, Stream body, long? contentLength, string? contentMd5)
    {
        var (caller, requestId, ct) = call;
        if (!int.TryParse(index, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i))
            return new Problem(400, "BLOCK_OUT_OF_RANGE", "分块序号超出范围", "分块序号须为从 0 开始的整数。");
        return await PutBlockAsync(caller, uploadId, i, body, contentLength, contentMd5, requestId, ct);
    }

    async Task<Result<BlockReceipt>> PutBlockAsync(Caller caller, string uploadId, int index, Stream body, long? contentLength,
        string? contentMd5, string requestId, CancellationToken ct)
    {
        var (session, problem) = await WritableSessionAsync(caller, uploadId, requestId, ct);
        if (problem is not null) return problem;
        var size = session!.GetInt64("Size")!.Value;
        var blockSize = session.GetInt32("BlockSize")!.Value;
        if (!BlockMath.InRange(index, size, blockSize))
            return new Problem(400, "BLOCK_OUT_OF_RANGE", "分块序号超出范围",
                $"本上传共 {session.GetInt32("BlockCount")} 块，序号须为 0 到 {session.GetInt32("BlockCount") - 1}。");
        var expected = BlockMath.LengthOf(index, size, blockSize);
        if (contentLength is { } declaredLength && declaredLength != expected)
            return LengthProblem(index, expected, declaredLength);

        var buffer = ArrayPool<byte>.Shared.Rent(expected + 1);
        try
        {
            var read = 0;
            try
            {
                while (read <= expected)
                {
                    var n = await body.ReadAsync(buffer.AsMemory(read, expected + 1 - read), ct);
                    if (n == 0) break;
                    read += n;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return new Problem(400, "BLOCK_INCOMPLETE", "分块未完整接收", $"第 {index} 块传输中断，未保存，请重新发送该块。");
            }
            if (read != expected) return LengthProblem(index, expected, read);
            if (contentMd5 is { Length: > 0 })
            {
                byte[] claimed;
                try { claimed = Convert.FromBase64String(contentMd5); }
                catch (FormatException) { claimed = []; }
                if (!CryptographicOperations.FixedTimeEquals(claimed, MD5.HashData(buffer.AsSpan(0, read))))
                    return new Problem(400, "BLOCK_CHECKSUM_MISMATCH", "分块校验失败", $"第 {index} 块的 Content-MD5 与收到的内容不符，未保存，请重新发送该块。");
            }
            var blob = (await container.Value.WaitAsync(ct)).GetBlockBlobClient(uploadId);
            using var content = new MemoryStream(buffer, 0, read, writable: false);
            await blob.StageBlockAsync(BlockMath.BlockId(index), content, cancellationToken: ct);
            return Result.Ok(new BlockReceipt(uploadId, index, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<Result<UploadView>> GetAsync(CallContext call, string uploadId)
    {
        var (caller, requestId, ct) = call;
        if (caller.Role == Role.Device && await ActiveDeviceAsync(caller, ct) is null) return await DeviceRefusalAsync(caller, ct);
        var session = await SessionInScopeAsync(caller, uploadId, requestId, ct);
        if (session is null) return NotFound();
        return Result.Ok(await ViewWithProgressAsync(session, ct));
    }

    /// <summary>Commits the upload. Idempotent: a committed or rejected session answers as it did the first time.</summary>
    public async Task<Result<UploadView>> CommitAsync(CallContext call, string uploadId)
    {
        var (caller, requestId, ct) = call;
        if (await ActiveDeviceAsync(caller, ct) is null) return await DeviceRefusalAsync(caller, ct);
        var table = await tables.GetAsync(TableNames.DisasterUploads, ct);
        // A concurrent commit that won answers with its result on the next attempt.
        return await Optimistic.RetryAsync<Result<UploadView>>($"upload {uploadId}", async () =>
        {
            var session = await SessionInScopeAsync(caller, uploadId, requestId, ct);
            if (session is null) return NotFound();
            switch (session.GetString("Status"))
            {
                case "committed":
                    if (session.GetString("AnalysisStatus") == "pending" && session.GetBoolean("AnalysisQueued") != true)
                        await EnqueueAnalysisAsync(table, uploadId, ct); // the first commit stopped before queuing the job
                    return Result.Ok(ViewOf(session, null, null));
                case "rejected":
                    return Rejected(session);
            }
            if (IsExpired(session)) return Expired();

            var size = session.GetInt64("Size")!.Value;
            var blockSize = session.GetInt32("BlockSize")!.Value;
            var deviceId = session.GetString("DeviceId");
            var blob = (await container.Value.WaitAsync(ct)).GetBlockBlobClient(uploadId);
            var (_, missing) = BlockMath.Progress(size, blockSize, await BlocksAsync(blob, BlockListTypes.All, ct));
            if (missing.Count > 0)
                return new Problem(409, "UPLOAD_INCOMPLETE", "上传尚未完成",
                    $"还缺少 {missing.Count} 块（序号 {BlockMath.Ranges(missing)}），请补传后再提交。").With("missingBlocks", missing);

            if (await devices.ReserveAsync(deviceId, uploadId, size, ct) is QuotaReservation.Exceeded exceeded)
                return QuotaProblem(exceeded.UsedBytes, exceeded.QuotaBytes, size);

            var count = BlockMath.BlockCount(size, blockSize);
            await blob.CommitBlockListAsync(Enumerable.Range(0, count).Select(BlockMath.BlockId),
                new CommitBlockListOptions { HttpHeaders = new BlobHttpHeaders { ContentType = session.GetString("ContentType") } }, ct);

            var probe = (int)Math.Min(size, Math.Max(UploadPolicy.SniffLength, Options.ExifProbeBytes));
            var head = (await blob.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(0, probe) }, ct)).Value.Content;
            var check = UploadPolicy.Check(session.GetString("FileName"), session.GetString("ContentType"), size, head.ToMemory().Span,
                Options.MaxFileBytes, Allowed);
            Problem? refusal = null;
            if (!check.Ok)
                refusal = new Problem(422, "UPLOAD_CONTENT_MISMATCH", "文件内容与声明的类型不符",
                    "文件内容不是所声明的类型（按文件头识别），已删除，请检查后重新上传。", check.Errors);
            else if (session.GetString("Sha256") is { } expectedSha && !string.Equals(await Sha256Async(blob, ct), expectedSha, StringComparison.Ordinal))
                refusal = new Problem(422, "UPLOAD_CHECKSUM_MISMATCH", "文件校验失败",
                    "合并后的文件 SHA-256 与声明的不符，已删除，请重新上传。", [new FieldError("sha256", "SHA-256 不符。")]);
            if (refusal is not null)
            {
                await blob.DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: ct);
                await devices.ReleaseAsync(deviceId, uploadId, ct);
                session["Status"] = "rejected";
                session["RejectionCode"] = refusal.Code;
                session["Rejection"] = JsonSerializer.Serialize(refusal.Errors ?? [], JsonDefaults.Options);
                await table.UpdateEntityAsync(session, session.ETag, TableUpdateMode.Replace, ct);
                await audit.AppendAsync(caller, new AuditEvent("disaster.upload.commit", AuditOutcome.Denied, Detail: $"{uploadId}:{refusal.Code}"), requestId, ct);
                return refusal;
            }

            session["Kind"] = check.Kind!.Value.ToString();
            if (session.GetString("PositionSource") is null && check.Kind == UploadKind.Jpeg && ExifLocation.TryRead(head, out var exif))
            {
                session["Lat"] = exif!.Latitude;
                session["Lon"] = exif.Longitude;
                session["Alt"] = exif.AltitudeMeters;
                session["PositionSource"] = "exif";
                if (session.GetDouble("Heading") is null) session["Heading"] = exif.Heading;
                if (session.GetDateTimeOffset("TakenAt") is null) session["TakenAt"] = exif.TakenAt;
            }
            session["OutsideIncidentArea"] = await OutsideIncidentAreaAsync(session, ct);
            session["Status"] = "committed";
            session["CommittedAt"] = clock.GetUtcNow();
            session["AnalysisStatus"] = "pending";
            await table.UpdateEntityAsync(session, session.ETag, TableUpdateMode.Replace, ct);
            await EnqueueAnalysisAsync(table, uploadId, ct);
            await audit.AppendAsync(caller, new AuditEvent("disaster.upload.commit", AuditOutcome.Success, Detail: uploadId), requestId, ct);
            logger.LogInformation("Upload {UploadId} committed ({Size} bytes, {Blocks} blocks)", uploadId, size, count);
            return Result.Ok(ViewOf(session, null, null));
        }, ct);
    }

    /// <summary>The committed blob of an upload (for the analysis).</summary>
    public async Task<BlockBlobClient> BlobAsync(string uploadId, CancellationToken ct) =>
        (await container.Value.WaitAsync(ct)).GetBlockBlobClient(uploadId);

    public async Task<TableEntity?> SessionAsync(string uploadId, CancellationToken ct)
    {
        if (!IsId(uploadId)) return null;
        var table = await tables.GetAsync(TableNames.DisasterUploads, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(uploadId, SessionRow, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    async Task EnqueueAnalysisAsync(TableClient table, string uploadId, CancellationToken ct)
    {
        var queue = queues.GetQueueClient(QueueNames.DisasterAnalysis);
        await queue.CreateIfNotExistsAsync(cancellationToken: ct);
        await queue.SendMessageAsync(JsonSerializer.Serialize(new AnalysisJob(uploadId), JsonDefaults.Options), ct); // base64 by the client
        await table.UpdateEntityAsync(new TableEntity(uploadId, SessionRow) { ["AnalysisQueued"] = true }, ETag.All, TableUpdateMode.Merge, ct);
    }

    async Task<bool?> OutsideIncidentAreaAsync(TableEntity session, CancellationToken ct)
    {
        if (session.GetString("IncidentId") is not { } incidentId || session.GetDouble("Lat") is not { } lat || session.GetDouble("Lon") is not { } lon) return null;
        if (areaLookups.FirstOrDefault() is not { } lookup) return null;
        var area = await lookup.FindAreaAsync(incidentId, ct);
        return area is null ? null : !area.Contains(new GeoPoint(lat, lon));
    }

    async Task<(TableEntity? Session, Problem? Problem)> WritableSessionAsync(Caller caller, string uploadId, string requestId, CancellationToken ct)
    {
        if (await ActiveDeviceAsync(caller, ct) is null) return (null, await DeviceRefusalAsync(caller, ct));
        var session = await SessionInScopeAsync(caller, uploadId, requestId, ct);
        if (session is null) return (null, NotFound().Problem);
        return session.GetString("Status") switch
        {
            "committed" => (null, new Problem(409, "UPLOAD_ALREADY_COMMITTED", "上传已提交", "该上传已提交完成，无需再发送分块。")),
            "rejected" => (null, Rejected(session).Problem),
            _ when IsExpired(session) => (null, Expired().Problem),
            _ => (session, null),
        };
    }

    async Task<TableEntity?> SessionInScopeAsync(Caller caller, string uploadId, string requestId, CancellationToken ct)
    {
        var session = await SessionAsync(uploadId, ct);
        if (session is null) return null;
        if (!AccessPolicy.InScope(caller, new ResourceScope(session.GetString("Jurisdiction"), Channel: session.GetString("DeviceId"))))
        {
            await audit.AppendAsync(caller, new AuditEvent("disaster.upload.read", AuditOutcome.Denied, Detail: $"{uploadId}:outOfScope"), requestId, ct);
            return null;
        }
        return session;
    }

    async Task<DeviceView?> ActiveDeviceAsync(Caller caller, CancellationToken ct) =>
        await devices.CheckAsync(caller, ct) is DeviceCheck.Active active ? active.Device : null;

    async Task<Problem> DeviceRefusalAsync(Caller caller, CancellationToken ct) => await devices.CheckAsync(caller, ct) switch
    {
        DeviceCheck.Revoked => new Problem(401, "DEVICE_REVOKED", "设备已被吊销", "该设备已被吊销，其令牌不再有效；如需继续使用请由工作人员重新登记。"),
        DeviceCheck.WrongArea => new Problem(403, "DEVICE_WRONG_AREA", "设备不能使用该接口", "该设备是平安通呼叫终端，只能上报终端事件，不能使用救灾现场上传接口。"),
        _ => new Problem(403, "DEVICE_NOT_REGISTERED", "设备未登记", "该设备未在平台登记，不能上传。请由街道、区或市工作人员登记设备。"),
    };

    async Task<UploadView> ViewWithProgressAsync(TableEntity session, CancellationToken ct)
    {
        if (session.GetString("Status") != "open") return ViewOf(session, null, null);
        var blob = (await container.Value.WaitAsync(ct)).GetBlockBlobClient(session.PartitionKey);
        var (received, missing) = BlockMath.Progress(session.GetInt64("Size")!.Value, session.GetInt32("BlockSize")!.Value,
            await BlocksAsync(blob, BlockListTypes.All, ct));
        return ViewOf(session, received, missing);
    }

    static async Task<IReadOnlyList<(string Id, long Size)>> BlocksAsync(BlockBlobClient blob, BlockListTypes types, CancellationToken ct)
    {
        try
        {
            var list = (await blob.GetBlockListAsync(types, cancellationToken: ct)).Value;
            return list.UncommittedBlocks.Concat(list.CommittedBlocks).Select(b => (b.Name, b.SizeLong)).ToList();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }

    static async Task<string> Sha256Async(BlockBlobClient blob, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var stream = await blob.OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 * 1024 * 1024 }, ct);
        var buffer = ArrayPool<byte>.Shared.Rent(1024 * 1024);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer.AsMemory(0, 1024 * 1024), ct)) > 0) hash.AppendData(buffer, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    bool IsExpired(TableEntity session) => session.GetString("Status") == "open" && session.GetDateTimeOffset("ExpiresAt") < clock.GetUtcNow();

    static bool IsId(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    static Result<UploadView> NotFound() =>
        new Problem(404, "UPLOAD_NOT_FOUND", "上传不存在", "没有找到该上传，或它不属于当前设备/您的管辖范围。");

    static Result<UploadView> Expired() =>
        new Problem(410, "UPLOAD_EXPIRED", "上传已过期", "该上传会话已过期，请重新创建上传。");

    static Result<UploadView> Rejected(TableEntity session)
    {
        var errors = JsonSerializer.Deserialize<List<FieldError>>(session.GetString("Rejection") ?? "[]", JsonDefaults.Options);
        return session.GetString("RejectionCode") == "UPLOAD_CHECKSUM_MISMATCH"
            ? new Problem(422, "UPLOAD_CHECKSUM_MISMATCH", "文件校验失败", "合并后的文件 SHA-256 与声明的不符，已删除，请重新上传。", errors)
            : new Problem(422, "UPLOAD_CONTENT_MISMATCH", "文件内容与声明的类型不符", "文件内容不是所声明的类型（按文件头识别），已删除，请检查后重新上传。", errors);
    }

    static Problem QuotaProblem(long used, long quota, long size) =>
        new(413, "DEVICE_QUOTA_EXCEEDED", "设备上传配额不足",
            string.Create(CultureInfo.InvariantCulture, $"本设备已用 {used / (1024.0 * 1024):0.#} MB，配额 {quota / (1024.0 * 1024):0.#} MB，本文件 {size / (1024.0 * 1024):0.#} MB。请联系工作人员调整配额。"));

    static Problem LengthProblem(int index, int expected, long actual) =>
        new(400, "BLOCK_LENGTH_MISMATCH", "分块长度不正确", $"第 {index} 块应为 {expected} 字节，收到 {actual} 字节；未保存，请重新发送该块。");

    public static UploadView ViewOf(TableEntity e, IReadOnlyList<int>? received, IReadOnlyList<int>? missing)
    {
        var status = e.GetString("Status");
        var count = e.GetInt32("BlockCount") ?? 0;
        if (status == "committed") { received ??= Enumerable.Range(0, count).ToList(); missing ??= []; }
        if (status == "open" && e.GetDateTimeOffset("ExpiresAt") < DateTimeOffset.UtcNow) status = "expired";
        UploadPosition? position = e.GetDouble("Lat") is { } lat && e.GetDouble("Lon") is { } lon ? new UploadPosition(lat, lon, e.GetDouble("Alt")) : null;
        UploadAnalysisView? analysis = e.GetString("Analysis") is { } json
            ? JsonSerializer.Deserialize<UploadAnalysisView>(json, JsonDefaults.Options)
            : e.GetString("AnalysisStatus") is { } s ? new UploadAnalysisView(s) : null;
        var rejection = e.GetString("Rejection") is { } r ? JsonSerializer.Deserialize<List<FieldError>>(r, JsonDefaults.Options) : null;
        return new UploadView(e.PartitionKey, e.GetString("DeviceId"), status, e.GetString("FileName"), e.GetString("ContentType"),
            e.GetInt64("Size") ?? 0, e.GetString("Sha256"), e.GetInt32("BlockSize") ?? 0, count, received ?? [], missing ?? [],
            e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("ExpiresAt") ?? default, e.GetDateTimeOffset("CommittedAt"),
            e.GetString("IncidentId"), e.GetString("NeedId"),
            new UploadMetadata(position, e.GetString("PositionSource"), e.GetDateTimeOffset("TakenAt"), e.GetDouble("Heading"), e.GetBoolean("OutsideIncidentArea")),
            analysis, rejection);
    }
}
