using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using CivilAffairs.Application.Disaster.Uploads;
using CivilAffairs.Application.Tests.Disaster.Analysis;
using CivilAffairs.Integration.Tests.Platform;
using OpenCvSharp;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>
/// Field devices and resumable uploads, driven over HTTP as a drone would: registration by staff, device tokens,
/// blocks out of order, resent and interrupted, commit, EXIF position, analysis by the local engine, and every refusal.
/// </summary>
public class UploadTests(RuntimeFixture fx) : IClassFixture<RuntimeFixture>
{
    const int SmallBlock = BlockMath.MinBlockSize; // 256 KiB

    sealed record Device(string Id, string Secret, string Token);

    async Task<Device> RegisterDeviceAsync(string staff = "shipai-officer", string jurisdiction = "440106008", long? quotaBytes = null)
    {
        var response = await Send(HttpMethod.Post, "api/disaster/devices", await fx.TokenAsync(staff),
            JsonContent.Create(new { name = "石牌街道无人机", kind = "drone", jurisdiction, quotaBytes }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.JsonAsync();
        var id = body.GetProperty("device").GetProperty("id").GetString()!;
        var secret = body.GetProperty("secret").GetString()!;
        Assert.DoesNotContain("secretHash", body.ToString(), StringComparison.OrdinalIgnoreCase);
        var token = await fx.Http.PostAsJsonAsync("api/disaster/devices/token", new { deviceId = id, secret });
        Assert.Equal(HttpStatusCode.OK, token.StatusCode);
        return new Device(id, secret, (await token.JsonAsync()).GetProperty("accessToken").GetString()!);
    }

    Task<HttpResponseMessage> Send(HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return fx.Http.SendAsync(request);
    }

    Task<HttpResponseMessage> PutBlock(string token, string uploadId, int index, ReadOnlyMemory<byte> bytes, string? md5 = null)
    {
        var content = new ReadOnlyMemoryContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (md5 is not null) content.Headers.ContentMD5 = Convert.FromBase64String(md5);
        return Send(HttpMethod.Put, $"api/disaster/uploads/{uploadId}/blocks/{index}", token, content);
    }

    async Task<JsonElement> CreateUpload(string token, object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await Send(HttpMethod.Post, "api/disaster/uploads", token, JsonContent.Create(body));
        Assert.Equal(expected, response.StatusCode);
        return await response.JsonAsync();
    }

    /// <summary>A 天河 incident the 石牌 device may upload into (a device writes only into incidents of its own district).</summary>
    async Task<JsonElement> ShipaiIncidentAsync() =>
        await (await Send(HttpMethod.Post, "api/disaster/incidents", await fx.TokenAsync("tianhe-approver"), JsonContent.Create(new
        {
            name = "石牌内涝", type = "flood", level = "IV", startedAt = DateTimeOffset.UtcNow.AddHours(-1), jurisdiction = "440106",
            area = new[] { new[] { 113.33, 23.12 }, new[] { 113.37, 23.12 }, new[] { 113.37, 23.16 }, new[] { 113.33, 23.16 }, new[] { 113.33, 23.12 } },
        }))).JsonAsync();

    async Task UploadAll(string token, string id, byte[] file, int blockSize)
    {
        for (var i = 0; i * blockSize < file.Length; i++)
        {
            var r = await PutBlock(token, id, i, file.AsMemory(i * blockSize, Math.Min(blockSize, file.Length - i * blockSize)));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        }
    }

    /// <summary>A photo of several MB (noise compresses badly) with an EXIF GPS block: 23°07'44.4"N 113°15'52.8"E, 56 m.</summary>
    static byte[] LargeJpegWithGps()
    {
        using var image = new Mat(1800, 2400, MatType.CV_8UC3);
        Cv2.SetTheRNG(42);
        Cv2.Randu(image, Scalar.All(40), Scalar.All(220));
        var jpeg = image.ToBytes(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 95));
        var gps = new ExifWriter.Gps('N', [(23, 1), (7, 1), (4440, 100)], 'E', [(113, 1), (15, 1), (5280, 100)], AltRef: 0, Alt: (56, 1),
            DirRef: 'T', Dir: (90, 1));
        return ExifWriter.Insert(jpeg, gps, dateTimeOriginal: "2025:07:01 09:30:15", offsetTimeOriginal: "+08:00");
    }

    [Fact]
    public async Task A_large_photo_sent_out_of_order_with_resends_and_an_interruption_is_committed_located_and_analysed()
    {
        var device = await RegisterDeviceAsync();
        var file = LargeJpegWithGps();
        Assert.True(file.Length > 3 * 1024 * 1024, $"test photo is only {file.Length} bytes");
        const int blockSize = 1024 * 1024;
        var session = await CreateUpload(device.Token, new
        {
            fileName = "DJI_0042.JPG", contentType = "image/jpeg", size = file.Length, blockSize,
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file)), incidentId = (await ShipaiIncidentAsync()).GetProperty("id").GetString(),
        });
        var id = session.GetProperty("id").GetString()!;
        var count = session.GetProperty("blockCount").GetInt32();
        Assert.Equal((file.Length + blockSize - 1) / blockSize, count);
        Assert.Equal(count, session.GetProperty("missingBlocks").GetArrayLength());
        ReadOnlyMemory<byte> Block(int i) => file.AsMemory(i * blockSize, Math.Min(blockSize, file.Length - i * blockSize));

        // Out of order, block 1 twice (the second with a Content-MD5), the last block first.
        foreach (var i in new[] { count - 1, 2, 0, 1 })
            Assert.Equal(HttpStatusCode.OK, (await PutBlock(device.Token, id, i, Block(i))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutBlock(device.Token, id, 1, Block(1), Convert.ToBase64String(MD5.HashData(Block(1).Span)))).StatusCode);

        // Block 3 "interrupted": the link drops after half the block (the client aborts the request body).
        try
        {
            await Send(HttpMethod.Put, $"api/disaster/uploads/{id}/blocks/3", device.Token, new BrokenContent(Block(3), Block(3).Length / 2));
        }
        catch (HttpRequestException)
        {
            // expected: the client gave up mid-body
        }
        // ...and a truncated resend is refused without storing anything.
        await (await PutBlock(device.Token, id, 3, Block(3)[..(blockSize / 2)])).AssertProblemAsync(400, "BLOCK_LENGTH_MISMATCH");
        // A corrupted body with the original's MD5 is refused too.
        var corrupted = Block(3).ToArray();
        corrupted[100] ^= 0xFF;
        await (await PutBlock(device.Token, id, 3, corrupted, Convert.ToBase64String(MD5.HashData(Block(3).Span)))).AssertProblemAsync(400, "BLOCK_CHECKSUM_MISMATCH");

        // The device asks what is missing (resume), and a premature commit lists it too.
        var progress = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).JsonAsync();
        var missing = progress.GetProperty("missingBlocks").EnumerateArray().Select(e => e.GetInt32()).ToList();
        Assert.Contains(3, missing);
        Assert.DoesNotContain(0, missing);
        Assert.DoesNotContain(count - 1, missing);
        var premature = await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token);
        var problem = await premature.AssertProblemAsync(409, "UPLOAD_INCOMPLETE");
        Assert.Equal(missing, problem.GetProperty("missingBlocks").EnumerateArray().Select(e => e.GetInt32()).ToList());

        foreach (var i in missing)
            Assert.Equal(HttpStatusCode.OK, (await PutBlock(device.Token, id, i, Block(i))).StatusCode);
        var committed = await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token);
        Assert.Equal(HttpStatusCode.OK, committed.StatusCode);
        var view = await committed.JsonAsync();
        Assert.Equal("committed", view.GetProperty("status").GetString());
        var metadata = view.GetProperty("metadata");
        Assert.Equal("exif", metadata.GetProperty("positionSource").GetString());
        Assert.Equal(23 + 7 / 60.0 + 44.4 / 3600, metadata.GetProperty("position").GetProperty("lat").GetDouble(), 5);
        Assert.Equal(113 + 15 / 60.0 + 52.8 / 3600, metadata.GetProperty("position").GetProperty("lon").GetDouble(), 5);
        Assert.Equal(56, metadata.GetProperty("position").GetProperty("alt").GetDouble(), 1);
        Assert.Equal(90, metadata.GetProperty("heading").GetDouble(), 1);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 9, 30, 15, TimeSpan.FromHours(8)), metadata.GetProperty("takenAt").GetDateTimeOffset());

        // The committed blob is the file, byte for byte, under a name that is only the upload id.
        var blob = new BlobServiceClient(fx.Storage).GetBlobContainerClient(UploadService.Container).GetBlobClient(id);
        Assert.Equal(file, (await blob.DownloadContentAsync()).Value.Content.ToArray());

        // A second commit (the device did not see the first answer) gives the same result.
        var again = await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token)).JsonAsync();
        Assert.Equal(view.GetProperty("committedAt").GetString(), again.GetProperty("committedAt").GetString());
        var staff = await fx.TokenAsync("shipai-officer");
        var deviceView = await (await Send(HttpMethod.Get, $"api/disaster/devices/{device.Id}", staff)).JsonAsync();
        Assert.Equal(file.Length, deviceView.GetProperty("usedBytes").GetInt64()); // counted once

        // The analysis arrives (local OpenCV engine), for the device and for staff of the jurisdiction.
        var analysed = await Http.EventuallyAsync(async () =>
        {
            var v = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).JsonAsync();
            return v.GetProperty("analysis").GetProperty("status").GetString() is "analysed" or "failed" ? (object)v : null;
        }, TimeSpan.FromSeconds(60), "the analysis result");
        var analysis = ((JsonElement)analysed).GetProperty("analysis");
        Assert.Equal("analysed", analysis.GetProperty("status").GetString());
        Assert.Equal("local-opencv", analysis.GetProperty("engine").GetString());
        Assert.Equal(2400, analysis.GetProperty("width").GetInt32());
        Assert.False(string.IsNullOrEmpty(analysis.GetProperty("reason").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", staff)).StatusCode);
        await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", await fx.TokenAsync("yuexiu-approver"))).AssertProblemAsync(404, "UPLOAD_NOT_FOUND");
    }

    [Fact]
    public async Task A_video_is_stored_but_recorded_as_not_analysed_and_flagged_outside_its_incident_area()
    {
        var device = await RegisterDeviceAsync();
        // An incident around 石牌 (23.12–23.16 N, 113.33–113.37 E); the drone films just west of it.
        var incident = await ShipaiIncidentAsync();
        var video = new byte[300_000];
        "\0\0\0\u0018ftypmp42"u8.ToArray().CopyTo(video, 0);
        var id = (await CreateUpload(device.Token, new { fileName = "clip.mp4", contentType = "video/mp4", size = video.Length, blockSize = SmallBlock,
            incidentId = incident.GetProperty("id").GetString(),
            position = new { lat = 23.13, lon = 113.32, alt = 120.0 }, heading = 270.0 })).GetProperty("id").GetString()!;
        await UploadAll(device.Token, id, video, SmallBlock);
        var view = await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token)).JsonAsync();
        Assert.Equal("device", view.GetProperty("metadata").GetProperty("positionSource").GetString());
        Assert.Equal(120.0, view.GetProperty("metadata").GetProperty("position").GetProperty("alt").GetDouble());
        Assert.True(view.GetProperty("metadata").GetProperty("outsideIncidentArea").GetBoolean());
        await Http.EventuallyAsync(async () =>
        {
            var v = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).JsonAsync();
            return v.GetProperty("analysis").GetProperty("status").GetString() == "notAnalysed" ? (object)v : null;
        }, TimeSpan.FromSeconds(30), "the not-analysed status");
    }

    [Fact]
    public async Task Unknown_wrong_and_revoked_credentials_are_refused_and_a_revoked_token_stops_working_at_once()
    {
        var device = await RegisterDeviceAsync();
        await (await fx.Http.PostAsJsonAsync("api/disaster/devices/token", new { deviceId = "01JCZ8NOPE0000000000000000", secret = device.Secret }))
            .AssertProblemAsync(401, "DEVICE_CREDENTIALS_INVALID");
        await (await fx.Http.PostAsJsonAsync("api/disaster/devices/token", new { deviceId = device.Id, secret = device.Secret + "x" }))
            .AssertProblemAsync(401, "DEVICE_CREDENTIALS_INVALID");

        var id = (await CreateUpload(device.Token, new { fileName = "a.jpg", contentType = "image/jpeg", size = 1000, blockSize = SmallBlock }))
            .GetProperty("id").GetString()!;
        // Another district cannot revoke it (looks missing); its own street can.
        await (await Send(HttpMethod.Post, $"api/disaster/devices/{device.Id}/revoke", await fx.TokenAsync("yuexiu-approver")))
            .AssertProblemAsync(404, "DEVICE_NOT_FOUND");
        var revoked = await Send(HttpMethod.Post, $"api/disaster/devices/{device.Id}/revoke", await fx.TokenAsync("tianhe-approver"));
        Assert.Equal("revoked", (await revoked.JsonAsync()).GetProperty("status").GetString());

        // The token it already holds is refused on every upload call.
        await (await PutBlock(device.Token, id, 0, new byte[1000])).AssertProblemAsync(401, "DEVICE_REVOKED");
        await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).AssertProblemAsync(401, "DEVICE_REVOKED");
        await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token)).AssertProblemAsync(401, "DEVICE_REVOKED");
        await (await Send(HttpMethod.Post, "api/disaster/uploads", device.Token, JsonContent.Create(new { fileName = "b.jpg", contentType = "image/jpeg", size = 10 })))
            .AssertProblemAsync(401, "DEVICE_REVOKED");
        await (await fx.Http.PostAsJsonAsync("api/disaster/devices/token", new { deviceId = device.Id, secret = device.Secret }))
            .AssertProblemAsync(401, "DEVICE_CREDENTIALS_INVALID");
    }

    [Fact]
    public async Task Bad_blocks_and_another_devices_upload_are_refused_with_clear_problems()
    {
        var device = await RegisterDeviceAsync();
        var other = await RegisterDeviceAsync("tianhe-approver", "440106");
        const int size = SmallBlock * 2 + 1000;
        var id = (await CreateUpload(device.Token, new { fileName = "a.png", contentType = "image/png", size, blockSize = SmallBlock }))
            .GetProperty("id").GetString()!;

        await (await PutBlock(device.Token, id, 3, new byte[1000])).AssertProblemAsync(400, "BLOCK_OUT_OF_RANGE");
        await (await Send(HttpMethod.Put, $"api/disaster/uploads/{id}/blocks/-1", device.Token, new ByteArrayContent(new byte[10]))).AssertProblemAsync(400, "BLOCK_OUT_OF_RANGE");
        await (await PutBlock(device.Token, id, 0, new byte[SmallBlock - 1])).AssertProblemAsync(400, "BLOCK_LENGTH_MISMATCH");
        await (await PutBlock(device.Token, id, 2, new byte[999])).AssertProblemAsync(400, "BLOCK_LENGTH_MISMATCH");
        Assert.Equal(HttpStatusCode.OK, (await PutBlock(device.Token, id, 2, new byte[1000])).StatusCode); // the last block holds the rest

        await (await PutBlock(other.Token, id, 0, new byte[SmallBlock])).AssertProblemAsync(404, "UPLOAD_NOT_FOUND");
        await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", other.Token)).AssertProblemAsync(404, "UPLOAD_NOT_FOUND");
        await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", other.Token)).AssertProblemAsync(404, "UPLOAD_NOT_FOUND");

        var invalid = await Send(HttpMethod.Post, "api/disaster/uploads", device.Token,
            JsonContent.Create(new { fileName = "x.exe", contentType = "application/x-msdownload", size = 0, position = new { lat = 91.0, lon = 113.0 } }));
        var errors = (await invalid.AssertProblemAsync(400, "VALIDATION_FAILED")).GetProperty("errors").EnumerateArray()
            .Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains("contentType", errors);
        Assert.Contains("size", errors);
        Assert.Contains("position.lat", errors);

        var session = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).JsonAsync();
        Assert.Equal([2], session.GetProperty("receivedBlocks").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    [Fact]
    public async Task A_file_that_is_not_what_it_claims_is_refused_at_commit_and_deleted()
    {
        var device = await RegisterDeviceAsync();
        var notJpeg = new byte[SmallBlock + 5000];
        "%PDF-1.7\n"u8.ToArray().CopyTo(notJpeg, 0);
        var id = (await CreateUpload(device.Token, new { fileName = "photo.jpg", contentType = "image/jpeg", size = notJpeg.Length, blockSize = SmallBlock }))
            .GetProperty("id").GetString()!;
        await UploadAll(device.Token, id, notJpeg, SmallBlock);

        await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token)).AssertProblemAsync(422, "UPLOAD_CONTENT_MISMATCH");
        var blob = new BlobServiceClient(fx.Storage).GetBlobContainerClient(UploadService.Container).GetBlobClient(id);
        Assert.False((await blob.ExistsAsync()).Value);
        await (await Send(HttpMethod.Post, $"api/disaster/uploads/{id}/commit", device.Token)).AssertProblemAsync(422, "UPLOAD_CONTENT_MISMATCH");
        var view = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{id}", device.Token)).JsonAsync();
        Assert.Equal("rejected", view.GetProperty("status").GetString());
        await (await PutBlock(device.Token, id, 0, notJpeg.AsMemory(0, SmallBlock))).AssertProblemAsync(422, "UPLOAD_CONTENT_MISMATCH");
        var staff = await fx.TokenAsync("shipai-officer");
        Assert.Equal(0, (await (await Send(HttpMethod.Get, $"api/disaster/devices/{device.Id}", staff)).JsonAsync()).GetProperty("usedBytes").GetInt64());
    }

    [Fact]
    public async Task The_device_quota_is_enforced_at_create_and_at_commit_without_losing_the_blocks()
    {
        var device = await RegisterDeviceAsync(quotaBytes: 700_000);
        await (await Send(HttpMethod.Post, "api/disaster/uploads", device.Token,
            JsonContent.Create(new { fileName = "big.jpg", contentType = "image/jpeg", size = 800_000 }))).AssertProblemAsync(413, "DEVICE_QUOTA_EXCEEDED");

        var png = new byte[400_000];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        var first = (await CreateUpload(device.Token, new { fileName = "1.png", contentType = "image/png", size = png.Length, blockSize = SmallBlock })).GetProperty("id").GetString()!;
        var second = (await CreateUpload(device.Token, new { fileName = "2.png", contentType = "image/png", size = png.Length, blockSize = SmallBlock })).GetProperty("id").GetString()!;
        await UploadAll(device.Token, first, png, SmallBlock);
        await UploadAll(device.Token, second, png, SmallBlock);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Post, $"api/disaster/uploads/{first}/commit", device.Token)).StatusCode);
        await (await Send(HttpMethod.Post, $"api/disaster/uploads/{second}/commit", device.Token)).AssertProblemAsync(413, "DEVICE_QUOTA_EXCEEDED");

        var view = await (await Send(HttpMethod.Get, $"api/disaster/uploads/{second}", device.Token)).JsonAsync();
        Assert.Equal("open", view.GetProperty("status").GetString());
        Assert.Equal(0, view.GetProperty("missingBlocks").GetArrayLength()); // nothing lost: it can commit once the quota is raised
    }

    [Fact]
    public async Task Staff_register_devices_only_inside_their_jurisdiction()
    {
        var response = await Send(HttpMethod.Post, "api/disaster/devices", await fx.TokenAsync("shipai-officer"),
            JsonContent.Create(new { name = "越秀的设备", kind = "phone", jurisdiction = "440104" }));
        await response.AssertProblemAsync(403, "OUT_OF_JURISDICTION");
        var invalid = await Send(HttpMethod.Post, "api/disaster/devices", await fx.TokenAsync("shipai-officer"),
            JsonContent.Create(new { name = "", jurisdiction = "12" }));
        await invalid.AssertProblemAsync(400, "VALIDATION_FAILED");
    }

    /// <summary>Sends part of a body, then fails, as a dropped mobile link would.</summary>
    sealed class BrokenContent(ReadOnlyMemory<byte> bytes, int sendBeforeFailing) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes[..sendBeforeFailing]);
            await stream.FlushAsync();
            throw new IOException("link dropped");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
