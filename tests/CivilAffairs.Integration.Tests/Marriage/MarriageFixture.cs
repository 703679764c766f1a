using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CivilAffairs.Application.Marriage.Certificates;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>A resident made for a test: their person id, name, ID number and a citizen token bound to them.</summary>
public sealed record Resident(string PersonId, string Name, string IdNumber, string Token);

/// <summary>
/// A runtime on its own Azurite with the demo data (offices 天河/越秀/海珠, their registrars, the court) for the marriage tests,
/// with the divorce periods shortened to <see cref="CoolingOffSeconds"/> and <see cref="WindowSeconds"/>. Every test makes its own
/// residents (registered in the person index by 石牌街道 staff, each with a citizen token), so tests never share a party.
/// </summary>
public class MarriageFixture : IAsyncLifetime
{
    public const string Office = DemoData.MarriageOfficeTianhe;
    public const string Registrar = "registrar-tianhe";
    public const int CoolingOffSeconds = 6;
    public const int WindowSeconds = 10;

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-marriage-" + Guid.NewGuid().ToString("N"));

    public static void Settings(Dictionary<string, string?> s, int coolingOffSeconds = CoolingOffSeconds, int windowSeconds = WindowSeconds)
    {
        s["Marriage:Divorce:CoolingOff"] = TimeSpan.FromSeconds(coolingOffSeconds).ToString();
        s["Marriage:Divorce:AppearanceWindow"] = TimeSpan.FromSeconds(windowSeconds).ToString();
        s["Platform:Outbox:RelayDelay"] = "00:00:05";
    }

    public async Task InitializeAsync()
    {
        Azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        Runtime = await FunctionsRuntime.StartAsync(RuntimeFixture.Options(Azurite.ConnectionString, DataDirectory, s => Settings(s)));
        Http = new HttpClient { BaseAddress = Runtime.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        await RuntimeFixture.WaitForCatalogAsync(Http);
        await DemoData.SeedAsync(Runtime, TextWriter.Null);
    }

    public Task DisposeAsync() => DisposeAsync(Http, Runtime, Azurite, DataDirectory);

    public static async Task DisposeAsync(HttpClient? http, FunctionsRuntime? runtime, Azurite? azurite, string data)
    {
        http?.Dispose();
        if (runtime is not null) await runtime.DisposeAsync();
        if (azurite is not null) await azurite.DisposeAsync();
        try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public MarriageApi Api => new(Http, Runtime);
}

/// <summary>The marriage flow over HTTP, as the couple, the registrar and the court would drive it.</summary>
public sealed class MarriageApi(HttpClient http, FunctionsRuntime runtime)
{
    static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周"];
    static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞"];
    readonly Dictionary<string, string> tokens = [];

    public HttpClient Http => http;

    public async Task<string> TokenAsync(string account)
    {
        lock (tokens) if (tokens.TryGetValue(account, out var t)) return t;
        var token = (await (await http.PostJsonAsync("api/dev/token", new { account })).JsonAsync()).GetProperty("accessToken").GetString()!;
        lock (tokens) tokens[account] = token;
        return token;
    }

    public async Task<HttpResponseMessage> As(string account, HttpMethod method, string url, object? body = null) => await http.As(await TokenAsync(account), method, url, body);

    /// <summary>A new resident of 天河区石牌街道华师社区 born on <paramref name="birth"/>, male or female, with a citizen token.</summary>
    public async Task<Resident> ResidentAsync(bool male, DateOnly birth)
    {
        var name = Surnames[Random.Shared.Next(Surnames.Length)] + Given[Random.Shared.Next(Given.Length)] + Given[Random.Shared.Next(Given.Length)];
        string idNumber;
        do idNumber = RuntimeFixture.NewIdNumber("440106", birth);
        while ((idNumber[16] - '0') % 2 == (male ? 0 : 1));
        var created = await As("shipai-officer", HttpMethod.Post, "api/persons", new { name, idNumber, jurisdiction = "440106008001", address = "天河路 1 号" });
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var personId = (await created.JsonAsync()).GetProperty("id").GetString()!;
        var idp = (DevelopmentIdentityProvider)runtime.Services.GetRequiredService(typeof(DevelopmentIdentityProvider));
        var token = idp.Issue(new DevAccount("test-" + personId, name, Role.Citizen, null, personId), TimeSpan.FromHours(2));
        return new Resident(personId, name, idNumber, token);
    }

    public Task<Resident> AdultAsync(bool male, int age = 30) => ResidentAsync(male, ChinaToday().AddYears(-age).AddDays(-Random.Shared.Next(1, 300)));

    public static DateOnly ChinaToday() => DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));

    /// <summary>A free slot at the office on its next open day: (date, time), picked at random among the free ones.</summary>
    public async Task<(string Date, string Time)> FreeSlotAsync(string office = MarriageFixture.Office)
    {
        var day = await (await http.GetAsync($"api/marriage/offices/{office}/slots")).JsonAsync();
        var free = day.GetProperty("slots").EnumerateArray().Where(s => s.GetProperty("available").GetInt32() > 0).Select(s => s.GetProperty("time").GetString()!).ToList();
        Assert.NotEmpty(free);
        return (day.GetProperty("date").GetString()!, free[Random.Shared.Next(free.Count)]);
    }

    public async Task<HttpResponseMessage> BookAsync(Resident booker, object body) => await http.As(booker.Token, HttpMethod.Post, "api/marriage/bookings", body);

    /// <summary>The man books a marriage slot naming the woman: the booking's id.</summary>
    public async Task<string> BookMarriageAsync(Resident booker, Resident partner, string office = MarriageFixture.Office)
    {
        var (date, time) = await FreeSlotAsync(office);
        var response = await BookAsync(booker, new { officeId = office, date, time, kind = "marriage", partner = new { name = partner.Name, idNumber = partner.IdNumber } });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>A party fills in, gives a photo and confirms the statements with their own account.</summary>
    public async Task PreFillAsync(string bookingId, int party, Resident who)
    {
        var filled = await http.As(who.Token, HttpMethod.Put, $"api/marriage/bookings/{bookingId}/parties/{party}",
            new { name = who.Name, idNumber = who.IdNumber, phone = "13912345678", occupation = "工程师", education = "本科" });
        Assert.True(filled.IsSuccessStatusCode, await filled.Content.ReadAsStringAsync());
        var photo = await PhotoAsync(bookingId, party, who);
        Assert.True(photo.IsSuccessStatusCode, await photo.Content.ReadAsStringAsync());
        var confirmed = await http.As(who.Token, HttpMethod.Post, $"api/marriage/bookings/{bookingId}/parties/{party}/confirm", new { noSpouse = true, noProhibitedKinship = true });
        Assert.True(confirmed.IsSuccessStatusCode, await confirmed.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> PhotoAsync(string bookingId, int party, Resident who, byte[]? content = null, string type = "image/jpeg")
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content ?? [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, .. new byte[200]]);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "file", type == "image/png" ? "photo.png" : "photo.jpg");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/marriage/bookings/{bookingId}/parties/{party}/photo") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", who.Token);
        return await http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> ServeAsync(string bookingId, bool present = true, string registrar = MarriageFixture.Registrar) =>
        await As(registrar, HttpMethod.Post, $"api/marriage/bookings/{bookingId}/registration", new { partiesPresent = present });

    /// <summary>Books, pre-fills both and registers: the record as the registrar got it.</summary>
    public async Task<JsonElement> MarryAsync(Resident man, Resident woman)
    {
        var booking = await BookMarriageAsync(man, woman);
        await PreFillAsync(booking, 1, man);
        await PreFillAsync(booking, 2, woman);
        var registered = await ServeAsync(booking);
        Assert.True(registered.StatusCode == HttpStatusCode.Created, await registered.Content.ReadAsStringAsync());
        return await registered.JsonAsync();
    }

    /// <summary>Both apply for a divorce of their marriage: the application as the second party got it (cooling-off started).</summary>
    public async Task<JsonElement> DivorceAsync(Resident a, Resident b, string recordId)
    {
        var applied = await http.As(a.Token, HttpMethod.Post, "api/marriage/divorces", new
        {
            recordId, officeId = MarriageFixture.Office,
            agreement = new { children = "无子女", property = "各自名下财产归各自所有", debts = "无共同债务" },
        });
        Assert.True(applied.StatusCode == HttpStatusCode.Created, await applied.Content.ReadAsStringAsync());
        var id = (await applied.JsonAsync()).GetProperty("id").GetString()!;
        var joined = await http.As(b.Token, HttpMethod.Post, $"api/marriage/divorces/{id}/apply", new { agreesToAgreement = true });
        Assert.True(joined.IsSuccessStatusCode, await joined.Content.ReadAsStringAsync());
        var view = await joined.JsonAsync();
        Assert.Equal("coolingOff", view.GetProperty("status").GetString());
        return view;
    }

    public async Task<JsonElement> DivorceViewAsync(Resident who, string id) => await (await http.As(who.Token, HttpMethod.Get, $"api/marriage/divorces/{id}")).JsonAsync();

    /// <summary>Polls the application until its status is <paramref name="status"/>.</summary>
    public async Task<JsonElement> WaitForDivorceAsync(Resident who, string id, string status, int seconds = 90)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await DivorceViewAsync(who, id);
            if (last.GetProperty("status").GetString() == status) return last;
            await Task.Delay(500);
        }
        throw new TimeoutException($"Divorce {id} did not reach {status}: {last}");
    }

    /// <summary>Verifies a certificate's QR offline, as a verifier would: with the published keys and the (cached) status list.</summary>
    public async Task<CertificateVerification> VerifyAsync(JsonElement certificate)
    {
        var keys = (await runtime.Services.GetRequiredService<CertificateSigningKeys>().GetAsync(CancellationToken.None)).Published;
        var list = await runtime.Services.GetRequiredService<StatusListRepository>().FindAsync(certificate.GetProperty("statusListId").GetString()!, CancellationToken.None);
        return CertificateVerifier.Verify(certificate.GetProperty("qrText").GetString(), keys, list);
    }

    public async Task<JsonElement> OwnRecordAsync(Resident who, string recordId)
    {
        var response = await http.As(who.Token, HttpMethod.Get, $"api/marriage/records/{recordId}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }
}
