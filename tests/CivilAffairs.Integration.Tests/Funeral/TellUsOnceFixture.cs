using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Funeral.Deaths;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Marriage;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Funeral;

/// <summary>
/// A runtime on its own Azurite with the partner simulator answering life events (bank-grcb never answers, so it ends late) and
/// the acknowledgement deadline shortened to <see cref="DeadlineSeconds"/>.
/// </summary>
public class TellUsOnceFixture : IAsyncLifetime
{
    public const int DeadlineSeconds = 6;
    public const string LateUnit = "bank-grcb";

    public Azurite Azurite { get; private set; } = null!;
    public FunctionsRuntime Runtime { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ca-funeral-" + Guid.NewGuid().ToString("N"));

    public static void Settings(Dictionary<string, string?> s, bool simulator = true)
    {
        s["Runtime:PartnerSimulator:Enabled"] = simulator ? "true" : "false";
        s["Runtime:PartnerSimulator:LateEventUnits"] = LateUnit;
        s["Runtime:PartnerSimulator:EventReceiptDelayMs"] = "100";
        s["Runtime:PartnerSimulator:MaxPollIntervalMs"] = "500";
        s["Funeral:TellUsOnce:AcknowledgementDeadline"] = TimeSpan.FromSeconds(DeadlineSeconds).ToString();
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

    public Task DisposeAsync() => MarriageFixture.DisposeAsync(Http, Runtime, Azurite, DataDirectory);

    public MarriageApi Api => new(Http, Runtime);
}

/// <summary>Death registration and Tell Us Once over HTTP and queues, as staff, the family and the partner units drive them.</summary>
public static class FuneralApi
{
    public static object Certificate(string kind = "medical") => new { kind, number = "YX" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant(), issuedBy = "广州市第一人民医院" };

    public static object Informant(Resident who, string relationship = "子女") => new { name = who.Name, idNumber = who.IdNumber, phone = "13800138000", relationship };

    public static async Task<JsonElement> RegisterAsync(MarriageApi api, Resident deceased, Resident? informant, object? certificate = null, string officer = "shipai-officer")
    {
        var response = await api.As(officer, HttpMethod.Post, "api/funeral/deaths", new
        {
            idNumber = deceased.IdNumber,
            dateOfDeath = MarriageApi.ChinaToday().ToString("yyyy-MM-dd"),
            placeOfDeath = "广州市第一人民医院",
            certificate = certificate ?? Certificate(),
            informant = informant is null ? null : Informant(informant),
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    public static async Task<JsonElement> PageAsync(HttpClient http, string token, string reference)
    {
        var response = await http.As(token, HttpMethod.Get, $"api/funeral/tell-us-once/{reference}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    /// <summary>Polls the family's page until <paramref name="done"/> holds.</summary>
    public static async Task<JsonElement> PageWhenAsync(HttpClient http, string token, string reference, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        JsonElement page;
        do
        {
            page = await PageAsync(http, token, reference);
            if (done(page)) return page;
            await Task.Delay(500);
        } while (DateTime.UtcNow < until);
        Assert.Fail($"The Tell Us Once page did not reach the expected state in {timeout}: {page}");
        return page;
    }

    public static IEnumerable<JsonElement> Partners(JsonElement page) => page.GetProperty("offices").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "partner");

    /// <summary>A unit's sealed CloudEvent on one of the platform's inbound queues (receipts, death certificates), as the unit's system sends it.</summary>
    public static async Task SendSealedAsync(FunctionsRuntime runtime, string storage, string queueName, string unit, string type, string subject, string id, object payload, string? sealWithUnit = null)
    {
        var codec = runtime.Services.GetRequiredService<PartnerCodec>();
        var sealedData = await codec.SealEventAsync(payload, sealWithUnit ?? unit, type, id);
        var message = new JsonObject
        {
            ["specversion"] = "1.0", ["id"] = id, ["source"] = CloudEvents.ReceiptSource(unit), ["type"] = type, ["subject"] = subject,
            ["time"] = DateTimeOffset.UtcNow.ToString("O"), ["datacontenttype"] = "application/json", ["data"] = new JsonObject { ["ciphertext"] = sealedData },
        };
        var queue = new QueueServiceClient(storage, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }).GetQueueClient(queueName);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(message.ToJsonString());
    }

    /// <summary>The units a published life event of <paramref name="type"/> about <paramref name="subject"/> was sent to (null: not sent yet).</summary>
    public static async Task<IReadOnlyList<string>?> PublishedToAsync(string storage, string type, string subject)
    {
        var log = new Azure.Data.Tables.TableServiceClient(storage).GetTableClient(Application.Platform.Storage.TableNames.LifeEvents);
        string? eventId = null;
        await foreach (var r in log.QueryAsync<Azure.Data.Tables.TableEntity>(filter: $"PartitionKey eq 's|{type}|{subject}'")) eventId = r.RowKey;
        if (eventId is null) return null;
        var units = new List<string>();
        await foreach (var r in log.QueryAsync<Azure.Data.Tables.TableEntity>(filter: $"PartitionKey eq '{eventId}' and RowKey ge 'partner|' and RowKey lt 'partner}}'"))
            units.Add(r.RowKey["partner|".Length..]);
        return units.Count == 0 ? null : units; // the partner job sends a moment after the event is recorded
    }

    public static DeathCertificateMessage CertificateMessage(Resident deceased, string number) =>
        new(deceased.IdNumber, MarriageApi.ChinaToday(), "广州市红十字会医院", Domain.Funeral.Deaths.CertificateKind.Medical, number, "广州市红十字会医院", null);
}
