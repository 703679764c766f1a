using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Marriage;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;

namespace CivilAffairs.Integration.Tests.Funeral.Memorials;

/// <summary>A runtime on its own Azurite with the demo data, offerings re-rendering the page at once.</summary>
public sealed class MemorialFixture : IAsyncLifetime
{
    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-memorials-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s => s["Funeral:Memorials:OfferingRefresh"] = "00:00:00"));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    public Task DisposeAsync() => MarriageFixture.DisposeAsync(Http, Runtime, Azurite, DataDirectory);

    public MarriageApi Api => new(Http, Runtime);
}

/// <summary>
/// Online memorials end to end over HTTP: a relative creates a memorial with consent, visitors leave messages and offerings, the
/// family moderates, the cached public page changes its ETag when a message is approved; offensive messages, missing consent,
/// family-only pages and moderation by strangers; proxy grave sweeping completed by the cemetery with photo proof.
/// </summary>
public sealed class MemorialTests(MemorialFixture fx) : IClassFixture<MemorialFixture>
{
    static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, .. new byte[300]];

    static object Memorial(string privacy = "public", bool autoPublish = false, object? consent = null) => new
    {
        name = "李秀英",
        bornOn = "1938-05-01",
        diedOn = "2026-03-20",
        biography = "一生勤劳，乐于助人。",
        privacy,
        autoPublish,
        consent = consent ?? new { consentedBy = "王磊", relation = "子女", agreed = true, scope = new[] { "nameAndDates", "biography", "photo", "messages" } },
    };

    async Task<(Resident Owner, string Id)> CreateAsync(string privacy = "public", bool autoPublish = false)
    {
        var owner = await fx.Api.AdultAsync(male: true, age: 50);
        var created = await fx.Http.As(owner.Token, HttpMethod.Post, "api/memorials", Memorial(privacy, autoPublish));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (owner, (await created.JsonAsync()).GetProperty("id").GetString()!);
    }

    async Task<HttpResponseMessage> PageAsync(string id, string? ifNoneMatch = null, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/memorials/{id}");
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await fx.Http.SendAsync(request);
    }

    async Task<JsonElement> AuditAsync(string action, string outcome) =>
        (await (await fx.Api.As("auditor", HttpMethod.Get, $"api/audit/entries?action={action}&outcome={outcome}&pageSize=200")).JsonAsync()).GetProperty("entries");

    [Fact]
    public async Task A_message_approved_by_the_family_appears_on_the_cached_public_page_with_a_new_etag()
    {
        var (owner, id) = await CreateAsync();
        var visitor = await fx.Api.AdultAsync(male: false);

        var page = await PageAsync(id);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("public, max-age=60", page.Headers.CacheControl?.ToString());
        var etag = page.Headers.ETag!.Tag;
        var body = await page.JsonAsync();
        Assert.Equal("李秀英", body.GetProperty("name").GetString());
        Assert.Equal("一生勤劳，乐于助人。", body.GetProperty("biography").GetString());
        Assert.Empty(body.GetProperty("messages").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotModified, (await PageAsync(id, etag)).StatusCode);
        // Listed publicly.
        var list = await (await fx.Http.GetAsync("api/memorials")).JsonAsync();
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);

        // A visitor's message waits for the family: the page does not change.
        var posted = await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/messages", new { text = "外婆，我们永远怀念您。" });
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var message = await posted.JsonAsync();
        Assert.Equal("pending", message.GetProperty("status").GetString());
        var messageId = message.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NotModified, (await PageAsync(id, etag)).StatusCode);

        // Only the family's moderators see the queue and decide: the visitor gets 404 like a missing memorial.
        await (await fx.Http.As(visitor.Token, HttpMethod.Get, $"api/memorials/{id}/moderation")).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        await (await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/messages/{messageId}/decision", new { decision = "approved" })).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        var queue = await (await fx.Http.As(owner.Token, HttpMethod.Get, $"api/memorials/{id}/moderation")).JsonAsync();
        Assert.Contains(queue.GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetString() == messageId);

        var approved = await fx.Http.As(owner.Token, HttpMethod.Post, $"api/memorials/{id}/messages/{messageId}/decision", new { decision = "approved" });
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("approved", (await approved.JsonAsync()).GetProperty("status").GetString());

        // The cached copy is stale now: the old ETag gets the new page, with the message and a new ETag.
        var after = await PageAsync(id, etag);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(etag, after.Headers.ETag!.Tag);
        var shown = Assert.Single((await after.JsonAsync()).GetProperty("messages").EnumerateArray());
        Assert.Equal("外婆，我们永远怀念您。", shown.GetProperty("text").GetString());
        Assert.DoesNotContain(visitor.Name, shown.GetProperty("author").GetString());

        // Offerings are counted per kind and shown on the page.
        foreach (var kind in new[] { "flowers", "flowers", "candle" })
            Assert.Equal(HttpStatusCode.OK, (await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/offerings", new { kind })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/offerings", new { kind = "fireworks" })).StatusCode);
        var counted = await (await PageAsync(id)).JsonAsync();
        var offerings = counted.GetProperty("offerings").EnumerateArray().ToDictionary(o => o.GetProperty("kind").GetString()!, o => o.GetProperty("count").GetInt64());
        Assert.Equal(2, offerings["flowers"]);
        Assert.Equal(1, offerings["candle"]);
        Assert.Equal(3, counted.GetProperty("offeringTotal").GetInt64());

        var moderated = await AuditAsync("funeral.memorial.moderate", "success");
        Assert.Contains(moderated.EnumerateArray(), e => e.GetProperty("detail").GetString() == $"{id}:{messageId}:Approved");
        Assert.Contains((await AuditAsync("funeral.memorial.moderate", "denied")).EnumerateArray(), e => e.GetProperty("detail").GetString() == $"{id}:notModerator");
    }

    [Fact]
    public async Task An_offensive_message_is_refused_without_echoing_the_word_stored_nowhere_and_audited()
    {
        var (owner, id) = await CreateAsync(autoPublish: true);
        var visitor = await fx.Api.AdultAsync(male: true);

        var refused = await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/messages", new { text = "你就是个傻 逼" });
        var problem = await refused.AssertProblemAsync(422, "OFFENSIVE_MESSAGE");
        Assert.DoesNotContain("傻", problem.GetProperty("detail").GetString());

        // A borderline message waits for the family even with auto-publish; an ordinary one is published at once.
        var borderline = await (await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/messages", new { text = "这也许就是报应吧" })).JsonAsync();
        Assert.Equal("pending", borderline.GetProperty("status").GetString());
        Assert.True(borderline.GetProperty("flagged").GetBoolean());
        var ordinary = await (await fx.Http.As(visitor.Token, HttpMethod.Post, $"api/memorials/{id}/messages", new { text = "小时候常和奶奶在操场上散步，愿您安息。" })).JsonAsync();
        Assert.Equal("approved", ordinary.GetProperty("status").GetString());

        var page = await (await PageAsync(id)).JsonAsync();
        var texts = page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList();
        Assert.Equal(["小时候常和奶奶在操场上散步，愿您安息。"], texts);
        var queue = await (await fx.Http.As(owner.Token, HttpMethod.Get, $"api/memorials/{id}/moderation")).JsonAsync();
        Assert.Equal(["这也许就是报应吧"], queue.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("text").GetString()).ToList());

        var denied = await AuditAsync("funeral.memorial.message", "denied");
        Assert.Contains(denied.EnumerateArray(), e => e.GetProperty("detail").GetString()!.StartsWith($"{id}:offensive:", StringComparison.Ordinal)
            && !e.GetProperty("detail").GetString()!.Contains('傻'));
    }

    [Fact]
    public async Task Offerings_made_at_the_same_moment_are_all_counted()
    {
        var (_, id) = await CreateAsync("linkOnly");
        var visitors = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => fx.Api.AdultAsync(male: i % 2 == 0)));
        var kinds = new[] { "flowers", "candle", "incense" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            fx.Http.As(visitors[i % visitors.Length].Token, HttpMethod.Post, $"api/memorials/{id}/offerings", new { kind = kinds[i % kinds.Length] })));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // One more offering renders the page again after the burst (re-rendering is throttled per instance, here to zero).
        Assert.Equal(HttpStatusCode.OK, (await fx.Http.As(visitors[0].Token, HttpMethod.Post, $"api/memorials/{id}/offerings", new { kind = "bow" })).StatusCode);
        var page = await (await PageAsync(id)).JsonAsync();
        var counts = page.GetProperty("offerings").EnumerateArray().ToDictionary(o => o.GetProperty("kind").GetString()!, o => o.GetProperty("count").GetInt64());
        Assert.Equal(20, counts["flowers"]);
        Assert.Equal(20, counts["candle"]);
        Assert.Equal(20, counts["incense"]);
        Assert.Equal(1, counts["bow"]);
        Assert.Equal(61, page.GetProperty("offeringTotal").GetInt64());
    }

    [Fact]
    public async Task A_memorial_without_consent_is_refused()
    {
        var owner = await fx.Api.AdultAsync(male: false, age: 45);
        var noConsent = await fx.Http.As(owner.Token, HttpMethod.Post, "api/memorials",
            Memorial(consent: new { consentedBy = "王芳", relation = "子女", agreed = false, scope = new[] { "nameAndDates" } }));
        await noConsent.AssertProblemAsync(400, "MEMORIAL_CONSENT_REQUIRED");
        var missing = await fx.Http.As(owner.Token, HttpMethod.Post, "api/memorials", new { name = "李秀英", diedOn = "2026-03-20", privacy = "public" });
        await missing.AssertProblemAsync(400, "MEMORIAL_CONSENT_REQUIRED");
        // Not signed in: no memorial can be created at all.
        Assert.Equal(HttpStatusCode.Unauthorized, (await fx.Http.PostJsonAsync("api/memorials", Memorial())).StatusCode);
    }

    [Fact]
    public async Task A_family_only_memorial_is_read_by_the_listed_family_only()
    {
        var (owner, id) = await CreateAsync("familyOnly");
        var stranger = await fx.Api.AdultAsync(male: true);
        var sister = await fx.Api.AdultAsync(male: false);

        await (await PageAsync(id)).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        await (await PageAsync(id, token: stranger.Token)).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        await (await fx.Http.As(stranger.Token, HttpMethod.Post, $"api/memorials/{id}/messages", new { text = "安息" })).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        // The owner is family; the page is not publicly cacheable.
        var own = await PageAsync(id, token: owner.Token);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Null(own.Headers.CacheControl);
        // Not listed.
        var list = await (await fx.Http.GetAsync("api/memorials")).JsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);

        // Only the owner adds family, checked against the person index; then the sister reads it.
        await (await fx.Http.As(stranger.Token, HttpMethod.Post, $"api/memorials/{id}/family", new { name = sister.Name, idNumber = sister.IdNumber, relation = "子女" }))
            .AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
        await (await fx.Http.As(owner.Token, HttpMethod.Post, $"api/memorials/{id}/family", new { name = "别人", idNumber = sister.IdNumber, relation = "子女" }))
            .AssertProblemAsync(400, "MEMORIAL_FAMILY_NOT_VERIFIED");
        var added = await fx.Http.As(owner.Token, HttpMethod.Post, $"api/memorials/{id}/family", new { name = sister.Name, idNumber = sister.IdNumber, relation = "子女" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PageAsync(id, token: sister.Token)).StatusCode);
        var mine = await (await fx.Http.As(sister.Token, HttpMethod.Get, "api/family/memorials")).JsonAsync();
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        // The sister is family but not a moderator.
        await (await fx.Http.As(sister.Token, HttpMethod.Get, $"api/memorials/{id}/moderation")).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");

        Assert.Contains((await AuditAsync("funeral.memorial.read", "denied")).EnumerateArray(), e => e.GetProperty("detail").GetString() == $"{id}:notFamily");
    }

    [Fact]
    public async Task A_link_only_memorial_is_read_with_its_link_cacheable_but_not_listed()
    {
        var (_, id) = await CreateAsync("linkOnly");
        var page = await PageAsync(id);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("public, max-age=60", page.Headers.CacheControl?.ToString());
        var list = await (await fx.Http.GetAsync("api/memorials")).JsonAsync();
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        await (await PageAsync("01JZZZZZZZZZZZZZZZZZZZZZZZ")).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
    }

    [Fact]
    public async Task A_proxy_sweeping_is_completed_once_by_the_cemetery_with_photos_the_family_sees()
    {
        var (owner, id) = await CreateAsync("familyOnly");
        var date = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8)).AddDays(3).ToString("yyyy-MM-dd");
        await (await fx.Http.As(owner.Token, HttpMethod.Post, $"api/memorials/{id}/sweepings", new { site = "nowhere", date, services = new[] { "cleanTombstone" }, plot = "3 区 12 排 8 号" }))
            .AssertProblemAsync(400, "SWEEPING_SITE_UNKNOWN");
        var ordered = await fx.Http.As(owner.Token, HttpMethod.Post, $"api/memorials/{id}/sweepings",
            new { site = "gz-yinhe", date, services = new[] { "cleanTombstone", "presentFlowers" }, plot = "3 区 12 排 8 号", note = "请代我们献上一束菊花。" });
        Assert.True(ordered.StatusCode == HttpStatusCode.Created, await ordered.Content.ReadAsStringAsync());
        var orderId = (await ordered.JsonAsync()).GetProperty("id").GetString()!;

        // The cemetery's staff see it; staff of another site get 404 for the order and its completion.
        var worklist = await (await fx.Api.As("cemetery-yinhe", HttpMethod.Get, "api/funeral/sweepings?status=ordered")).JsonAsync();
        var item = Assert.Single(worklist.GetProperty("items").EnumerateArray(), o => o.GetProperty("id").GetString() == orderId);
        Assert.Equal("李秀英", item.GetProperty("memorialName").GetString());
        await (await fx.Api.As("funeral-staff-a", HttpMethod.Get, $"api/funeral/sweepings/{orderId}")).AssertProblemAsync(404, "SWEEPING_NOT_FOUND");
        await (await CompleteAsync("funeral-staff-a", orderId, Jpeg)).AssertProblemAsync(404, "SWEEPING_NOT_FOUND");
        Assert.DoesNotContain((await (await fx.Api.As("funeral-staff-a", HttpMethod.Get, "api/funeral/sweepings")).JsonAsync()).GetProperty("items").EnumerateArray(),
            o => o.GetProperty("id").GetString() == orderId);

        // Proof must be a picture (checked by content); a good one completes the order, once.
        Assert.Equal(HttpStatusCode.BadRequest, (await CompleteAsync("cemetery-yinhe", orderId, "not a picture"u8.ToArray())).StatusCode);
        var done = await CompleteAsync("cemetery-yinhe", orderId, Jpeg);
        Assert.True(done.StatusCode == HttpStatusCode.OK, await done.Content.ReadAsStringAsync());
        Assert.Equal("completed", (await done.JsonAsync()).GetProperty("status").GetString());
        await (await CompleteAsync("cemetery-yinhe", orderId, Jpeg)).AssertProblemAsync(409, "SWEEPING_ALREADY_COMPLETED");

        // The family sees the order completed with exactly one photo, and can fetch it.
        var mine = await (await fx.Http.As(owner.Token, HttpMethod.Get, $"api/memorials/{id}/sweepings")).JsonAsync();
        var order = Assert.Single(mine.GetProperty("items").EnumerateArray());
        Assert.Equal("completed", order.GetProperty("status").GetString());
        var url = Assert.Single(order.GetProperty("photoUrls").EnumerateArray()).GetString()!;
        var photo = await fx.Http.As(owner.Token, HttpMethod.Get, url.TrimStart('/'));
        Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        Assert.Equal("image/jpeg", photo.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Jpeg, await photo.Content.ReadAsByteArrayAsync());
        // A stranger sees neither the orders nor the photo.
        var stranger = await fx.Api.AdultAsync(male: true);
        await (await fx.Http.As(stranger.Token, HttpMethod.Get, url.TrimStart('/'))).AssertProblemAsync(404, "MEMORIAL_NOT_FOUND");
    }

    async Task<HttpResponseMessage> CompleteAsync(string account, string orderId, byte[] content)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "photo", "proof.jpg");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/funeral/sweepings/{orderId}/completion") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await fx.Api.TokenAsync(account));
        return await fx.Http.SendAsync(request);
    }
}
