using System.Net;
using System.Text.Json;
using CivilAffairs.Certificates.Marriage;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Platform;

namespace CivilAffairs.Integration.Tests.Marriage;

/// <summary>
/// Marriage registration over HTTP on the runtime: a couple books, pre-fills with their own accounts and is registered, and the
/// certificate's QR verifies offline; the registry refuses an under-age or already-married party with the reason, a booking in
/// the past or over capacity, a second live booking, and a party confirming for the other.
/// </summary>
public sealed class MarriageRegistrationTests(MarriageFixture fx) : IClassFixture<MarriageFixture>
{
    MarriageApi Api => fx.Api;

    [Fact]
    public async Task A_couple_books_pre_fills_is_registered_and_gets_certificates_whose_QR_verifies_offline()
    {
        var man = await Api.AdultAsync(male: true);
        var woman = await Api.AdultAsync(male: false);
        var booking = await Api.BookMarriageAsync(man, woman);

        // The registrar's day shows the booking, not yet ready; each party sees their own data and the other's masked.
        var (date, _) = await Api.FreeSlotAsync();
        var worklist = await (await Api.As(MarriageFixture.Registrar, HttpMethod.Get, $"api/marriage/offices/{MarriageFixture.Office}/worklist?date={date}")).JsonAsync();
        var line = worklist.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("bookingId").GetString() == booking);
        Assert.False(line.GetProperty("ready").GetBoolean());
        var seenByWoman = await (await fx.Http.As(woman.Token, HttpMethod.Get, $"api/marriage/bookings/{booking}")).JsonAsync();
        Assert.Equal(woman.Name, seenByWoman.GetProperty("parties")[1].GetProperty("name").GetString());
        Assert.NotEqual(man.Name, seenByWoman.GetProperty("parties")[0].GetProperty("name").GetString());
        Assert.DoesNotContain(man.IdNumber, seenByWoman.ToString());

        await Api.PreFillAsync(booking, 1, man);
        await Api.PreFillAsync(booking, 2, woman);
        worklist = await (await Api.As(MarriageFixture.Registrar, HttpMethod.Get, $"api/marriage/offices/{MarriageFixture.Office}/worklist?date={date}")).JsonAsync();
        Assert.True(worklist.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("bookingId").GetString() == booking).GetProperty("ready").GetBoolean());
        var checks = await (await Api.As(MarriageFixture.Registrar, HttpMethod.Post, $"api/marriage/bookings/{booking}/checks", new { partiesPresent = true })).JsonAsync();
        Assert.True(checks.GetProperty("passed").GetBoolean(), checks.ToString());

        var registered = await Api.ServeAsync(booking);
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var record = await registered.JsonAsync();
        Assert.Equal("married", record.GetProperty("status").GetString());
        var certificates = record.GetProperty("certificates").EnumerateArray().ToList();
        Assert.Equal(2, certificates.Count);
        foreach (var c in certificates)
        {
            Assert.Matches(@"^J440106-\d{4}-\d{8}$", c.GetProperty("number").GetString());
            var verified = await Api.VerifyAsync(c);
            Assert.Equal(VerificationOutcome.Valid, verified.Outcome);
            Assert.DoesNotContain(man.Name, c.GetProperty("qrText").GetString());
        }

        // Serving again changes nothing (idempotent); the man reads his record and his certificate's QR.
        var again = await Api.ServeAsync(booking);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(record.GetProperty("id").GetString(), (await again.JsonAsync()).GetProperty("id").GetString());
        var own = await (await fx.Http.As(man.Token, HttpMethod.Get, "api/marriage/records")).JsonAsync();
        var mine = Assert.Single(own.GetProperty("items").EnumerateArray());
        var myCertificate = Assert.Single(mine.GetProperty("certificates").EnumerateArray());
        Assert.Equal(man.Name, myCertificate.GetProperty("holder").GetString());
        var qr = await fx.Http.As(man.Token, HttpMethod.Get, $"api/marriage/certificates/{myCertificate.GetProperty("number").GetString()}/qr.png");
        Assert.Equal("image/png", qr.Content.Headers.ContentType?.MediaType);
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], (await qr.Content.ReadAsByteArrayAsync())[..4]);
        var stranger = await Api.AdultAsync(male: false);
        await (await fx.Http.As(stranger.Token, HttpMethod.Get, $"api/marriage/records/{record.GetProperty("id").GetString()}")).AssertProblemAsync(404, "MARRIAGE_RECORD_NOT_FOUND");
    }

    [Fact]
    public async Task An_under_age_party_is_refused_with_the_reason_and_nothing_is_registered()
    {
        var today = MarriageApi.ChinaToday();
        var young = await Api.ResidentAsync(male: true, today.AddYears(-22).AddDays(1)); // 22 tomorrow
        var woman = await Api.AdultAsync(male: false);
        var booking = await Api.BookMarriageAsync(young, woman);
        await Api.PreFillAsync(booking, 1, young);
        await Api.PreFillAsync(booking, 2, woman);

        var refused = await Api.ServeAsync(booking);
        var problem = await refused.AssertProblemAsync(422, "AGE_BELOW_LEGAL_MINIMUM");
        Assert.Contains("未满 22 周岁", problem.GetProperty("detail").GetString());
        Assert.Contains("第一千零四十七条", problem.GetProperty("detail").GetString());
        Assert.Contains(problem.GetProperty("checks").EnumerateArray(), c => c.GetProperty("code").GetString() == "AGE_BELOW_LEGAL_MINIMUM" && !c.GetProperty("passed").GetBoolean());
        var own = await (await fx.Http.As(young.Token, HttpMethod.Get, "api/marriage/records")).JsonAsync();
        Assert.Equal(0, own.GetProperty("count").GetInt32());
        var booked = await (await fx.Http.As(young.Token, HttpMethod.Get, $"api/marriage/bookings/{booking}")).JsonAsync();
        Assert.Equal("booked", booked.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_already_married_party_is_refused_with_the_reason()
    {
        var man = await Api.AdultAsync(male: true);
        var wife = await Api.AdultAsync(male: false);
        await Api.MarryAsync(man, wife);
        var other = await Api.AdultAsync(male: false);
        var booking = await Api.BookMarriageAsync(other, man);
        await Api.PreFillAsync(booking, 1, other);
        await Api.PreFillAsync(booking, 2, man);

        var problem = await (await Api.ServeAsync(booking)).AssertProblemAsync(422, "PARTY_ALREADY_MARRIED");
        Assert.Contains("存续的婚姻", problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await (await fx.Http.As(other.Token, HttpMethod.Get, "api/marriage/records")).JsonAsync()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Absent_parties_and_missing_statements_are_named_together()
    {
        var man = await Api.AdultAsync(male: true);
        var woman = await Api.AdultAsync(male: false);
        var booking = await Api.BookMarriageAsync(man, woman);
        await Api.PreFillAsync(booking, 1, man);

        var problem = await (await Api.ServeAsync(booking, present: false)).AssertProblemAsync(422, "MARRIAGE_CHECKS_FAILED");
        var failed = problem.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("passed").GetBoolean()).Select(c => c.GetProperty("code").GetString()).ToHashSet();
        Assert.Equal(["NOT_PRESENT_IN_PERSON", "STATEMENT_NO_KINSHIP_MISSING", "STATEMENT_NO_SPOUSE_MISSING"], failed.Order());
    }

    [Fact]
    public async Task A_booking_in_the_past_over_capacity_or_beside_a_live_one_is_refused()
    {
        var man = await Api.AdultAsync(male: true);
        var woman = await Api.AdultAsync(male: false);
        var yesterday = MarriageApi.ChinaToday().AddDays(-1).ToString("yyyy-MM-dd");
        await (await Api.BookAsync(man, new { officeId = MarriageFixture.Office, date = yesterday, time = "09:00", kind = "marriage", partner = new { name = woman.Name, idNumber = woman.IdNumber } }))
            .AssertProblemAsync(400, "BOOKING_IN_PAST");

        // An office with one place per slot: the second couple is told the slot is full.
        var created = await Api.As("tianhe-approver", HttpMethod.Post, "api/marriage/offices", new
        {
            name = "天河区婚姻登记处（珠江新城服务点）", jurisdiction = "440106", address = "广州市天河区花城大道 1 号", slotMinutes = 60, capacityPerSlot = 1,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var office = (await created.JsonAsync()).GetProperty("id").GetString()!;
        await (await Api.As("yuexiu-approver", HttpMethod.Post, "api/marriage/offices", new { name = "越界", jurisdiction = "440106", address = "某处" }))
            .AssertProblemAsync(403, "OUT_OF_JURISDICTION");
        var (date, time) = await Api.FreeSlotAsync(office);
        var first = await Api.BookAsync(man, new { officeId = office, date, time, kind = "marriage", partner = new { name = woman.Name, idNumber = woman.IdNumber } });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var man2 = await Api.AdultAsync(male: true);
        var woman2 = await Api.AdultAsync(male: false);
        await (await Api.BookAsync(man2, new { officeId = office, date, time, kind = "marriage", partner = new { name = woman2.Name, idNumber = woman2.IdNumber } }))
            .AssertProblemAsync(409, "SLOT_FULL");
        var slots = await (await fx.Http.GetAsync($"api/marriage/offices/{office}/slots?date={date}")).JsonAsync();
        Assert.Equal(0, slots.GetProperty("slots").EnumerateArray().Single(s => s.GetProperty("time").GetString() == time).GetProperty("available").GetInt32());

        // One live booking per party: the woman cannot book again; after a cancel the place is free again.
        var bookingId = (await first.JsonAsync()).GetProperty("id").GetString()!;
        await (await Api.BookAsync(woman, new { officeId = MarriageFixture.Office, date, time = "10:00", kind = "marriage", partner = new { name = man2.Name, idNumber = man2.IdNumber } }))
            .AssertProblemAsync(409, "BOOKING_ALREADY_LIVE");
        Assert.True((await fx.Http.As(woman.Token, HttpMethod.Post, $"api/marriage/bookings/{bookingId}/cancel")).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Created, (await Api.BookAsync(man2, new { officeId = office, date, time, kind = "marriage", partner = new { name = woman2.Name, idNumber = woman2.IdNumber } })).StatusCode);
    }

    [Fact]
    public async Task A_party_may_not_fill_in_or_confirm_for_the_other_and_a_stranger_sees_nothing()
    {
        var man = await Api.AdultAsync(male: true);
        var woman = await Api.AdultAsync(male: false);
        var booking = await Api.BookMarriageAsync(man, woman);

        await (await fx.Http.As(man.Token, HttpMethod.Post, $"api/marriage/bookings/{booking}/parties/2/confirm", new { noSpouse = true, noProhibitedKinship = true }))
            .AssertProblemAsync(403, "MARRIAGE_PARTY_NOT_YOU");
        await (await fx.Http.As(man.Token, HttpMethod.Put, $"api/marriage/bookings/{booking}/parties/2", new { name = woman.Name, idNumber = woman.IdNumber }))
            .AssertProblemAsync(403, "MARRIAGE_PARTY_NOT_YOU");
        await (await fx.Http.As(woman.Token, HttpMethod.Put, $"api/marriage/bookings/{booking}/parties/2", new { name = woman.Name, idNumber = man.IdNumber }))
            .AssertProblemAsync(400, "PREFILL_IDENTITY_MISMATCH");
        var stranger = await Api.AdultAsync(male: true);
        await (await fx.Http.As(stranger.Token, HttpMethod.Post, $"api/marriage/bookings/{booking}/parties/1/confirm", new { noSpouse = true, noProhibitedKinship = true }))
            .AssertProblemAsync(404, "BOOKING_NOT_FOUND");
        await (await Api.As("registrar-yuexiu", HttpMethod.Get, $"api/marriage/bookings/{booking}")).AssertProblemAsync(404, "BOOKING_NOT_FOUND");
        // A text file is not a photo, whatever it is called.
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.PhotoAsync(booking, 1, man, "not a picture"u8.ToArray())).StatusCode);

        var view = await (await fx.Http.As(woman.Token, HttpMethod.Get, $"api/marriage/bookings/{booking}")).JsonAsync();
        Assert.All(view.GetProperty("parties").EnumerateArray(), p => Assert.False(p.TryGetProperty("confirmedAt", out _)));
        var audit = await (await Api.As("auditor", HttpMethod.Get, "api/audit/entries?action=marriage.booking.confirm&outcome=denied")).JsonAsync();
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("detail").GetString() == $"{booking}:notYourParty");
    }
}
