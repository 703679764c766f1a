using System.Net;
using Azure.Data.Tables;
using CivilAffairs.Application.Funeral.Deaths;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Funeral;

public sealed class TellUsOnceTests(TellUsOnceFixture fx) : IClassFixture<TellUsOnceFixture>
{
    [Fact]
    public async Task A_registered_death_is_told_to_every_unit_and_the_family_sees_who_confirmed_and_who_is_late()
    {
        var api = fx.Api;
        var deceased = await api.AdultAsync(male: true, age: 78);
        var daughter = await api.AdultAsync(male: false, age: 50);
        var registered = await FuneralApi.RegisterAsync(api, deceased, daughter);
        var reference = registered.GetProperty("reference").GetString()!;
        Assert.Matches(@"^SW\d{8}-\d{8}$", reference);
        Assert.DoesNotContain(deceased.IdNumber, registered.ToString());
        Assert.Equal($"/api/funeral/tell-us-once/{reference}", registered.GetProperty("tellUsOnce").GetString());

        // The family (the informant's own account) follows one page: every subscribed unit confirms except the silent bank,
        // which is sent the event once more after the deadline and then shown late.
        var page = await FuneralApi.PageWhenAsync(fx.Http, daughter.Token, reference,
            p => FuneralApi.Partners(p).All(o => o.GetProperty("status").GetString() is "confirmed" or "late")
                 && FuneralApi.Partners(p).Any(o => o.GetProperty("status").GetString() == "late")
                 && p.GetProperty("offices").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "bureau").All(o => o.GetProperty("status").GetString() == "done"),
            TimeSpan.FromSeconds(TellUsOnceFixture.DeadlineSeconds * 6));
        // The bureau's own services acted on it and said what they did (this person held nothing there).
        var bureau = page.GetProperty("offices").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "bureau").ToDictionary(o => o.GetProperty("code").GetString()!);
        Assert.Equal(["assistance", "elderly", "marriage"], bureau.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.All(bureau.Values, o => Assert.False(string.IsNullOrWhiteSpace(o.GetProperty("summary").GetString())));
        var partners = FuneralApi.Partners(page).ToDictionary(o => o.GetProperty("code").GetString()!);
        Assert.Equal(["bank-grcb", "bank-gzcb", "bank-icbc", "disabled-fed", "housing-fund", "hrss", "medical-security", "police", "veterans"], partners.Keys.Order(StringComparer.Ordinal).ToArray());
        foreach (var (code, office) in partners.Where(p => p.Key != TellUsOnceFixture.LateUnit))
        {
            Assert.Equal("confirmed", office.GetProperty("status").GetString());
            Assert.StartsWith(code.ToUpperInvariant() + "-", office.GetProperty("theirReference").GetString());
        }
        var late = partners[TellUsOnceFixture.LateUnit];
        Assert.Equal("late", late.GetProperty("status").GetString());
        Assert.Equal(2, late.GetProperty("attempts").GetInt32());
        Assert.Equal(8, page.GetProperty("confirmed").GetInt32() - page.GetProperty("offices").EnumerateArray().Count(o => o.GetProperty("kind").GetString() == "bureau" && o.GetProperty("status").GetString() == "done"));
        Assert.Equal(1, page.GetProperty("late").GetInt32());
        Assert.Contains("逾期", page.GetProperty("summary").GetString());
        Assert.Equal("广州市人力资源和社会保障局", partners["hrss"].GetProperty("name").GetString());

        // Staff of the district see it too; a stranger, and staff of another district, get 404 (audited), like a wrong number.
        await FuneralApi.PageAsync(fx.Http, await api.TokenAsync("tianhe-approver"), reference);
        var stranger = await api.AdultAsync(male: true);
        await (await fx.Http.As(stranger.Token, HttpMethod.Get, $"api/funeral/tell-us-once/{reference}")).AssertProblemAsync(404, "TELL_US_ONCE_NOT_FOUND");
        await (await api.As("yuexiu-approver", HttpMethod.Get, $"api/funeral/tell-us-once/{reference}")).AssertProblemAsync(404, "TELL_US_ONCE_NOT_FOUND");
        await (await fx.Http.As(daughter.Token, HttpMethod.Get, "api/funeral/tell-us-once/SW20260101-00000000")).AssertProblemAsync(404, "TELL_US_ONCE_NOT_FOUND");

        // The published event carries ids and facts only: no ID number or name in the event log.
        var eventRows = fx.Azurite.ConnectionString is { } storage
            ? new TableServiceClient(storage).GetTableClient(TableNames.LifeEvents).QueryAsync<TableEntity>() : null;
        await foreach (var row in eventRows!)
            foreach (var value in row)
                Assert.DoesNotContain(deceased.IdNumber, value.Value?.ToString() ?? "");
    }

    [Fact]
    public async Task A_certificate_for_an_unknown_or_already_deceased_person_is_refused_and_the_same_certificate_twice_is_recognised()
    {
        var api = fx.Api;
        // Unknown to the person index: 422, nothing written.
        var unknown = RuntimeFixture.NewIdNumber("440106", new DateOnly(1950, 3, 1));
        var refused = await api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths",
            new { idNumber = unknown, dateOfDeath = Marriage.MarriageApi.ChinaToday().ToString("yyyy-MM-dd"), certificate = FuneralApi.Certificate() });
        await refused.AssertProblemAsync(422, "PERSON_NOT_IN_INDEX");

        // Missing certificate, a bad number and an informant who is the deceased: field errors.
        var deceased = await api.AdultAsync(male: false, age: 81);
        var invalid = await api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths", new
        {
            idNumber = deceased.IdNumber, dateOfDeath = Marriage.MarriageApi.ChinaToday().ToString("yyyy-MM-dd"),
            certificate = new { kind = "medical", number = "x" },
            informant = new { name = deceased.Name, idNumber = deceased.IdNumber, phone = "13800138000" },
        });
        var problem = await invalid.AssertProblemAsync(400, "VALIDATION_FAILED");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();
        Assert.Contains("certificate.number", fields);
        Assert.Contains("informant.idNumber", fields);

        // The same certificate twice: the first registration is answered (200), nothing registered twice.
        var certificate = FuneralApi.Certificate();
        var first = await FuneralApi.RegisterAsync(api, deceased, null, certificate);
        var again = await api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths",
            new { idNumber = deceased.IdNumber, dateOfDeath = Marriage.MarriageApi.ChinaToday().ToString("yyyy-MM-dd"), certificate });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.GetProperty("reference").GetString(), (await again.JsonAsync()).GetProperty("reference").GetString());

        // Another certificate for the same person: 409, pointing at the registration.
        var other = await api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths",
            new { idNumber = deceased.IdNumber, dateOfDeath = Marriage.MarriageApi.ChinaToday().ToString("yyyy-MM-dd"), certificate = FuneralApi.Certificate("police") });
        var conflict = await other.AssertProblemAsync(409, "PERSON_ALREADY_DECEASED");
        Assert.Contains(first.GetProperty("reference").GetString()!, conflict.GetProperty("detail").GetString());

        // Staff of another district cannot register or read it.
        await (await api.As("yuexiu-approver", HttpMethod.Get, $"api/funeral/deaths/{first.GetProperty("id").GetString()}")).AssertProblemAsync(404, "DEATH_NOT_FOUND");
        var read = await api.As("shipai-officer", HttpMethod.Get, $"api/funeral/deaths/{first.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task The_certificate_scan_is_uploaded_and_checked_by_content()
    {
        var api = fx.Api;
        var deceased = await api.AdultAsync(male: true, age: 70);
        var death = await FuneralApi.RegisterAsync(api, deceased, null);
        var id = death.GetProperty("id").GetString()!;
        Assert.False(death.GetProperty("certificateUploaded").GetBoolean());

        async Task<HttpResponseMessage> UploadAsync(byte[] bytes, string name, string type)
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new(type);
            form.Add(file, "file", name);
            using var request = new HttpRequestMessage(HttpMethod.Put, $"api/funeral/deaths/{id}/certificate") { Content = form };
            request.Headers.Authorization = new("Bearer", await api.TokenAsync("shipai-officer"));
            return await fx.Http.SendAsync(request);
        }
        await (await UploadAsync("MZ not a pdf"u8.ToArray(), "certificate.pdf", "application/pdf")).AssertProblemAsync(400, "VALIDATION_FAILED");
        var pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"u8.ToArray();
        var uploaded = await UploadAsync(pdf, "certificate.pdf", "application/pdf");
        Assert.True(uploaded.StatusCode == HttpStatusCode.OK, await uploaded.Content.ReadAsStringAsync());
        Assert.True((await uploaded.JsonAsync()).GetProperty("certificateUploaded").GetBoolean());
    }

    [Fact]
    public async Task A_hospital_certificate_on_its_queue_registers_the_death_once_and_a_bad_one_is_quarantined()
    {
        var api = fx.Api;
        var deceased = await api.AdultAsync(male: true, age: 88);
        var number = "GZH" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var message = FuneralApi.CertificateMessage(deceased, number);
        // Sent twice (the hospital system retried): one registration.
        var id1 = Guid.NewGuid().ToString("N");
        var id2 = Guid.NewGuid().ToString("N");
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.DeathCertificates, "health", DeathService.CertificateMessageType, "death-certificate", id1, message);
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.DeathCertificates, "health", DeathService.CertificateMessageType, "death-certificate", id2, message);
        var registrations = new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient(TableNames.DeathRegistrations);
        var deaths = new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient(TableNames.Deaths);
        var row = await Http.EventuallyAsync(async () =>
        {
            await foreach (var d in deaths.QueryAsync<TableEntity>(filter: "Source eq 'Hospital'"))
                if (d.GetString("DeathId") is { } deathId && (await registrations.GetEntityIfExistsAsync<TableEntity>(deathId, "death")).Value is { } r
                    && r.GetString("Unit") == "health" && r.GetString("RegisteredBy") == "partner:health")
                    return r;
            return null;
        }, TimeSpan.FromSeconds(30), "the hospital's certificate registered");
        await Task.Delay(3000); // the second copy has been handled by now
        var count = 0;
        await foreach (var _ in deaths.QueryAsync<TableEntity>(filter: "Source eq 'Hospital'")) count++;
        Assert.Equal(1, count);
        Assert.NotNull(row);

        // A certificate for a person the index does not know ends in the poison queue (after the dequeue limit), nothing registered.
        var stranger = new Marriage.Resident("none", "无此人", RuntimeFixture.NewIdNumber("440106", new DateOnly(1940, 1, 1)), "");
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.DeathCertificates, "police", DeathService.CertificateMessageType, "death-certificate",
            Guid.NewGuid().ToString("N"), FuneralApi.CertificateMessage(stranger, "GZP" + Guid.NewGuid().ToString("N")[..10]));
        // One sealed with another unit's key (forged) is quarantined too.
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.DeathCertificates, "police", DeathService.CertificateMessageType, "death-certificate",
            Guid.NewGuid().ToString("N"), FuneralApi.CertificateMessage(deceased, "GZP" + Guid.NewGuid().ToString("N")[..10]), sealWithUnit: "bank-icbc");
        var poison = fx.Runtime.Services is not null ? new Azure.Storage.Queues.QueueClient(fx.Azurite.ConnectionString, QueueNames.DeathCertificates + "-poison") : null;
        await Http.EventuallyAsync(async () =>
        {
            if (!(await poison!.ExistsAsync()).Value) return null;
            var props = await poison.GetPropertiesAsync();
            return props.Value.ApproximateMessagesCount >= 2 ? "poisoned" : null;
        }, TimeSpan.FromSeconds(60), "the two bad certificates quarantined");
    }

    [Fact]
    public async Task A_receipt_delivered_twice_counts_once_and_a_forged_receipt_is_quarantined()
    {
        var api = fx.Api;
        var deceased = await api.AdultAsync(male: false, age: 90);
        var son = await api.AdultAsync(male: true, age: 60);
        var death = await FuneralApi.RegisterAsync(api, deceased, son);
        var reference = death.GetProperty("reference").GetString()!;
        var page = await FuneralApi.PageWhenAsync(fx.Http, son.Token, reference,
            p => FuneralApi.Partners(p).Single(o => o.GetProperty("code").GetString() == "police").GetProperty("status").GetString() == "confirmed", TimeSpan.FromSeconds(30));
        var police = FuneralApi.Partners(page).Single(o => o.GetProperty("code").GetString() == "police");
        var log = new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient(TableNames.LifeEvents);
        string? eventId = null;
        await foreach (var r in log.QueryAsync<TableEntity>(filter: $"PartitionKey eq 's|person.died|{death.GetProperty("id").GetString()}'")) eventId = r.RowKey;
        Assert.NotNull(eventId);

        // The police send their receipt again with another reference: the first confirmation stands.
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.PartnerEventReceipts, "police", CloudEvents.ReceiptType, eventId!,
            Guid.NewGuid().ToString("N"), new EventReceipt(eventId!, "police", "POLICE-AGAIN", DateTimeOffset.UtcNow), sealWithUnit: null);
        // …and a receipt claiming to be from hrss but sealed with the police key is quarantined.
        await FuneralApi.SendSealedAsync(fx.Runtime, fx.Azurite.ConnectionString, QueueNames.PartnerEventReceipts, "hrss", CloudEvents.ReceiptType, eventId!,
            Guid.NewGuid().ToString("N"), new EventReceipt(eventId!, "hrss", "FORGED", DateTimeOffset.UtcNow), sealWithUnit: "police");
        var poison = new Azure.Storage.Queues.QueueClient(fx.Azurite.ConnectionString, QueueNames.PartnerEventReceipts + "-poison");
        await Http.EventuallyAsync(async () => (await poison.ExistsAsync()).Value && (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount >= 1 ? "poisoned" : null,
            TimeSpan.FromSeconds(60), "the forged receipt quarantined");
        var after = FuneralApi.Partners(await FuneralApi.PageAsync(fx.Http, son.Token, reference)).ToDictionary(o => o.GetProperty("code").GetString()!);
        Assert.Equal(police.GetProperty("theirReference").GetString(), after["police"].GetProperty("theirReference").GetString());
        Assert.Equal(police.GetProperty("confirmedAt").GetString(), after["police"].GetProperty("confirmedAt").GetString());
        Assert.NotEqual("FORGED", after["hrss"].GetProperty("theirReference").ToString());
    }
}
