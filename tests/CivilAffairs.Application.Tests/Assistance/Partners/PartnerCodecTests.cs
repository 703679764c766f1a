using System.Text.Json;
using System.Text.Json.Nodes;
using CivilAffairs.Application.Assistance.Partners;

namespace CivilAffairs.Application.Tests.Assistance.Partners;

public class PartnerCodecTests
{
    static readonly DateTimeOffset At = new(2025, 7, 1, 9, 30, 0, TimeSpan.FromHours(8));
    const string IdNumber = "440106195803121235";

    readonly PartnerCodec codec = new(InMemoryPartnerKeyStore.Random(PartnerCatalogue.Load().Units.Select(u => u.Code)));

    static VerificationRequest Request(string unit = "police", string correlation = "verify-0001") =>
        new("req-01JZ7Q", correlation, unit,
            [new("m1", "张伟", IdNumber, "consent-7f3a"), new("m2", "王秀兰", "440106196005140428", "consent-8b21")],
            "最低生活保障家庭经济状况核对", ["household-registration", "vehicles"], At);

    static VerificationReply Reply(string unit = "bank-icbc", string correlation = "verify-0001") =>
        new("req-01JZ7Q", correlation, unit,
            [
                new("m1", ReplyStatus.Found, new Dictionary<string, decimal> { ["deposits"] = 11200.50m, ["wealth-products"] = 0m }, new Dictionary<string, string>()),
                new("m2", ReplyStatus.NotFound, new Dictionary<string, decimal>(), new Dictionary<string, string>()),
            ],
            At.AddMinutes(3));

    [Fact]
    public async Task A_request_survives_seal_serialize_parse_and_open()
    {
        var original = Request();
        var json = PartnerCodec.Serialize(await codec.SealRequestAsync(original));

        var envelope = PartnerCodec.Parse(json);
        var opened = await codec.OpenRequestAsync(envelope, "police");

        Assert.Equal(original.Subjects, opened.Subjects);
        Assert.Equal(original with { Categories = opened.Categories, Subjects = opened.Subjects }, opened);
        Assert.Equal(original.Categories, opened.Categories);
        Assert.Equal("1.0", envelope.SpecVersion);
        Assert.Equal(PartnerEventTypes.Request, envelope.Type);
        Assert.Equal("urn:civilaffairs:assistance", envelope.Source);
        Assert.Equal("req-01JZ7Q", envelope.Id);
        Assert.Equal("household", envelope.Subject);
        Assert.Equal("verify-0001", envelope.CorrelationId);
        Assert.Equal(At, envelope.Time);
        Assert.StartsWith("sm4gcm.police.", envelope.Data!.Ciphertext);
    }

    [Fact]
    public async Task A_reply_survives_the_round_trip_and_is_opened_with_the_key_its_source_names()
    {
        var original = Reply();
        var json = PartnerCodec.Serialize(await codec.SealReplyAsync(original));

        var envelope = PartnerCodec.Parse(json);
        var opened = await codec.OpenReplyAsync(envelope);

        Assert.Equal("urn:civilaffairs:partner:bank-icbc", envelope.Source);
        Assert.Equal("bank-icbc", envelope.ReplyingUnit);
        Assert.Equal(PartnerEventTypes.Reply, envelope.Type);
        Assert.Equal([ReplyStatus.Found, ReplyStatus.NotFound], opened.Subjects.Select(r => r.Status));
        Assert.Equal(["m1", "m2"], opened.Subjects.Select(r => r.MemberRef));
        Assert.Equal(original.Subjects[0].Figures.OrderBy(f => f.Key), opened.Subjects[0].Figures.OrderBy(f => f.Key));
        Assert.Empty(opened.Subjects[0].Facts);
        Assert.Equal(original.AnsweredAt, opened.AnsweredAt);
        Assert.Equal((original.RequestId, original.CorrelationId, original.UnitCode), (opened.RequestId, opened.CorrelationId, opened.UnitCode));
    }

    [Fact]
    public void The_synchronous_seal_and_open_work_with_a_hand_made_header()
    {
        var request = Request("hrss");
        var header = PartnerEnvelope.RequestHeader(request);
        var envelope = header with { Data = new PartnerEnvelopeData(codec.Seal(request, "hrss", header)) };

        Assert.Equal(request.Subjects[0].Name, codec.Open<VerificationRequest>(envelope, "hrss").Subjects[0].Name);
    }

    [Fact]
    public async Task The_wire_form_is_CloudEvents_json_with_no_personal_data_in_the_clear()
    {
        var json = PartnerCodec.Serialize(await codec.SealRequestAsync(Request()));
        var root = JsonNode.Parse(json)!.AsObject();

        Assert.Equal(["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "correlationid", "data"], root.Select(p => p.Key));
        Assert.All(root.Select(p => p.Key), name => Assert.Matches("^[a-z0-9]+$", name));
        Assert.Equal("application/json", (string?)root["datacontenttype"]);
        Assert.Equal("2025-07-01T09:30:00+08:00", (string?)root["time"]);
        Assert.Equal(["ciphertext"], root["data"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain(IdNumber, json);
        Assert.DoesNotContain("张伟", json);
        Assert.DoesNotContain("consent-7f3a", json);
    }

    [Fact]
    public async Task A_reply_replayed_under_another_correlation_id_fails_authentication()
    {
        var envelope = await codec.SealReplyAsync(Reply());
        var replayed = PartnerCodec.Parse(PartnerCodec.Serialize(envelope with { CorrelationId = "verify-0002" }));

        var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(replayed));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, error.Error);
    }

    [Fact]
    public async Task A_reply_passed_off_as_another_units_fails()
    {
        var envelope = await codec.SealReplyAsync(Reply("bank-icbc"));

        var relabelled = envelope with { Source = PartnerEventTypes.ReplySource("bank-abc") };
        var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(relabelled));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, error.Error);

        var wrongUnit = Assert.Throws<PartnerEnvelopeException>(() => codec.Open<VerificationReply>(envelope, "bank-abc"));
        Assert.Equal(PartnerEnvelopeError.InvalidAttribute, wrongUnit.Error);
    }

    [Fact]
    public async Task A_request_opens_only_for_its_unit_and_as_a_request()
    {
        var envelope = await codec.SealRequestAsync(Request("police"));

        var otherUnit = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenRequestAsync(envelope, "hrss"));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, otherUnit.Error);

        var asReply = envelope with { Type = PartnerEventTypes.Reply, Source = PartnerEventTypes.ReplySource("police") };
        var typeError = Assert.Throws<PartnerEnvelopeException>(() => codec.Open<VerificationRequest>(asReply, "police"));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, typeError.Error);

        var wrongType = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(envelope));
        Assert.Equal(PartnerEnvelopeError.UnexpectedType, wrongType.Error);
    }

    [Fact]
    public async Task A_tampered_ciphertext_fails_authentication_without_quoting_it()
    {
        var envelope = await codec.SealReplyAsync(Reply());
        var token = envelope.Data!.Ciphertext;
        var flipped = token[..^5] + (token[^5] == 'A' ? 'B' : 'A') + token[^4..];

        var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(envelope with { Data = new(flipped) }));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, error.Error);
        Assert.DoesNotContain(flipped, error.Message);
    }

    [Fact]
    public async Task Keys_are_per_unit_so_another_key_store_cannot_open()
    {
        var envelope = await codec.SealRequestAsync(Request());
        var stranger = new PartnerCodec(InMemoryPartnerKeyStore.Random(["police"]));

        var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => stranger.OpenRequestAsync(envelope, "police"));
        Assert.Equal(PartnerEnvelopeError.AuthenticationFailed, error.Error);
    }

    [Fact]
    public void Sealing_a_payload_that_disagrees_with_its_header_is_refused()
    {
        var request = Request();
        var header = PartnerEnvelope.RequestHeader(request);

        Assert.Throws<ArgumentException>(() => codec.Seal(request, "hrss", header));
        Assert.Throws<ArgumentException>(() => codec.Seal(request, "police", header with { CorrelationId = "other" }));
        Assert.Throws<ArgumentException>(() => codec.Seal(request, "police", header with { Type = "com.example.other" }));
        Assert.Throws<ArgumentException>(() => PartnerCodec.Serialize(header));
    }

    [Fact]
    public void Payload_records_mask_personal_data_when_printed()
    {
        var text = Request().ToString();
        Assert.DoesNotContain(IdNumber, text);
        Assert.DoesNotContain("张伟", text);
        Assert.DoesNotContain("王秀兰", text);
        Assert.DoesNotContain("440106196005140428", text);
        Assert.Contains("440106********1235", text);

        var reply = Reply().ToString();
        Assert.DoesNotContain("11200", reply);
        Assert.Contains("deposits", reply);
    }

    [Fact]
    public async Task A_reply_that_does_not_answer_about_each_member_once_is_rejected_when_opened()
    {
        var original = Reply();
        foreach (var subjects in new[] { [], [original.Subjects[0], original.Subjects[0]], new[] { original.Subjects[0] with { MemberRef = "" } } })
        {
            var json = PartnerCodec.Serialize(await codec.SealReplyAsync(original with { Subjects = subjects }));
            var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(PartnerCodec.Parse(json)));
            Assert.Equal(PartnerEnvelopeError.InvalidPayload, error.Error);
        }
    }

    // ---- strict parsing ----

    static JsonObject ValidEvent() => new()
    {
        ["specversion"] = "1.0",
        ["id"] = "req-1",
        ["source"] = "urn:civilaffairs:partner:police",
        ["type"] = "cn.gov.gz.civilaffairs.verification.reply.v2",
        ["subject"] = "m1",
        ["time"] = "2025-07-01T09:30:00.123+08:00",
        ["datacontenttype"] = "application/json",
        ["correlationid"] = "verify-0001",
        ["data"] = new JsonObject { ["ciphertext"] = "sm4gcm.police.AAAA" },
    };

    [Fact]
    public void A_valid_event_parses_and_unknown_lower_case_extensions_are_allowed()
    {
        var json = ValidEvent();
        json["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var envelope = PartnerCodec.Parse(json.ToJsonString());

        Assert.Equal("police", envelope.ReplyingUnit);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 9, 30, 0, 123, TimeSpan.FromHours(8)), envelope.Time);
        Assert.Equal("sm4gcm.police.AAAA", envelope.Data!.Ciphertext);
    }

    [Theory]
    [InlineData("specversion")]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("subject")]
    [InlineData("time")]
    [InlineData("datacontenttype")]
    [InlineData("correlationid")]
    [InlineData("data")]
    public void A_missing_attribute_is_rejected(string attribute)
    {
        var json = ValidEvent();
        json.Remove(attribute);

        var error = Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(json.ToJsonString()));
        Assert.Equal(PartnerEnvelopeError.MissingAttribute, error.Error);
        Assert.Contains(attribute, error.Message);
    }

    public static TheoryData<string, string, PartnerEnvelopeError> WrongValues => new()
    {
        { "specversion", "0.3", PartnerEnvelopeError.UnsupportedSpecVersion },
        { "specversion", "1.0.2", PartnerEnvelopeError.UnsupportedSpecVersion },
        { "type", "com.example.object.deleted.v2", PartnerEnvelopeError.UnexpectedType },
        { "source", "urn:civilaffairs:assistance", PartnerEnvelopeError.InvalidAttribute },
        { "source", "urn:civilaffairs:partner:Not_A_Unit", PartnerEnvelopeError.InvalidAttribute },
        { "time", "2025-07-01 09:30:00", PartnerEnvelopeError.InvalidAttribute },
        { "time", "2025-07-01T09:30:00", PartnerEnvelopeError.InvalidAttribute },
        { "time", "2025-13-01T09:30:00Z", PartnerEnvelopeError.InvalidAttribute },
        { "datacontenttype", "application/xml", PartnerEnvelopeError.InvalidAttribute },
        { "id", "", PartnerEnvelopeError.MissingAttribute },
        { "correlationid", "", PartnerEnvelopeError.MissingAttribute },
    };

    [Theory]
    [MemberData(nameof(WrongValues))]
    public void A_wrong_attribute_value_is_rejected(string attribute, string value, PartnerEnvelopeError expected)
    {
        var json = ValidEvent();
        json[attribute] = value;

        var error = Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(json.ToJsonString()));
        Assert.Equal(expected, error.Error);
        if (value.Length > 3) Assert.DoesNotContain(value, error.Message);
    }

    [Fact]
    public void Non_string_values_upper_case_names_duplicates_and_bad_data_are_rejected()
    {
        var numberId = ValidEvent();
        numberId["id"] = 42;
        Assert.Equal(PartnerEnvelopeError.MissingAttribute, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(numberId.ToJsonString())).Error);

        var camel = ValidEvent();
        camel["correlationId"] = "x";
        Assert.Equal(PartnerEnvelopeError.InvalidAttribute, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(camel.ToJsonString())).Error);

        var duplicate = ValidEvent().ToJsonString().Replace("\"subject\":\"m1\"", "\"subject\":\"m1\",\"subject\":\"m2\"");
        Assert.Equal(PartnerEnvelopeError.Malformed, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(duplicate)).Error);

        var noCiphertext = ValidEvent();
        noCiphertext["data"] = new JsonObject { ["plaintext"] = "张伟" };
        Assert.Equal(PartnerEnvelopeError.MissingAttribute, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(noCiphertext.ToJsonString())).Error);

        var stringData = ValidEvent();
        stringData["data"] = "sm4gcm.police.AAAA";
        Assert.Equal(PartnerEnvelopeError.MissingAttribute, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(stringData.ToJsonString())).Error);

        var requestFromPartner = ValidEvent();
        requestFromPartner["type"] = PartnerEventTypes.Request;
        Assert.Equal(PartnerEnvelopeError.InvalidAttribute, Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(requestFromPartner.ToJsonString())).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("\"text\"")]
    [InlineData("{\"specversion\":\"1.0\",")]
    public void Something_that_is_not_a_json_object_is_malformed(string text)
    {
        var error = Assert.Throws<PartnerEnvelopeException>(() => PartnerCodec.Parse(text));
        Assert.Equal(PartnerEnvelopeError.Malformed, error.Error);
    }

    [Fact]
    public async Task An_envelope_with_a_payload_of_the_wrong_shape_is_rejected()
    {
        var reply = Reply();
        var header = PartnerEnvelope.ReplyHeader(reply);
        var envelope = header with { Data = new(codec.Seal(new { requestId = 5 }, "bank-icbc", header)) };

        var error = await Assert.ThrowsAsync<PartnerEnvelopeException>(() => codec.OpenReplyAsync(envelope));
        Assert.Equal(PartnerEnvelopeError.InvalidPayload, error.Error);
    }

    [Fact]
    public async Task Plain_System_Text_Json_writes_the_same_attributes_so_envelopes_can_travel_through_durable_state()
    {
        var envelope = await codec.SealReplyAsync(Reply());
        var json = JsonSerializer.Serialize(envelope, CivilAffairs.Application.Platform.Json.JsonDefaults.Options);

        Assert.Equal(envelope, PartnerCodec.Parse(json));
        Assert.Equal(envelope, JsonSerializer.Deserialize<PartnerEnvelope>(PartnerCodec.Serialize(envelope), CivilAffairs.Application.Platform.Json.JsonDefaults.Options));
    }

    [Fact]
    public async Task Serialize_then_parse_is_lossless()
    {
        var envelope = await codec.SealRequestAsync(Request());
        Assert.Equal(envelope, PartnerCodec.Parse(PartnerCodec.Serialize(envelope)));
        using var _ = JsonDocument.Parse(PartnerCodec.Serialize(envelope));
    }
}
