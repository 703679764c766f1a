using System.Globalization;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using CivilAffairs.Application.Assistance.Applications;
using CivilAffairs.Application.Assistance.Payments;
using CivilAffairs.Application.Elderly.Elders;
using CivilAffairs.Application.Elderly.WelfareChecks;
using CivilAffairs.Application.Platform.Events;
using CivilAffairs.Application.Platform.Identity;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Domain.Assistance;
using CivilAffairs.Integration.Tests.Assistance;
using CivilAffairs.Integration.Tests.Marriage;
using CivilAffairs.Integration.Tests.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Funeral;

/// <summary>
/// Tell Us Once subscribers (issue 15, item 3): the in-app subscribers of <c>person.died</c> in assistance, elderly care and the
/// marriage register, resolved from the runtime's service provider and handed the event as the inbox would (the relay and the
/// inbox are built on main). The households, elders and marriages are made over HTTP; each subscriber is delivered the same
/// event twice and the second delivery changes nothing.
/// </summary>
public class DeathSubscriberTests(MarriageFixture fx) : IClassFixture<MarriageFixture>
{
    const string District = "440106";
    static DateOnly Today => MarriageApi.ChinaToday();
    static DateOnly Yesterday => Today.AddDays(-1);

    T Service<T>() where T : notnull => fx.Runtime.Services.GetRequiredService<T>();
    ILifeEventSubscriber Subscriber(string name) => fx.Runtime.Services.GetServices<ILifeEventSubscriber>().Single(s => s.Name == name);
    string IndexOf(string idNumber) => Service<PersonIndex>().IndexOf(idNumber.ToUpperInvariant());
    TableClient Table(string name) => new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient(name);

    static OutboxEvent Died(string personIndex, DateOnly date, string jurisdiction = "440106008001")
    {
        var deathId = Guid.NewGuid().ToString("N");
        return new OutboxEvent(Guid.NewGuid().ToString("N"), "/civilaffairs/funeral/deaths", LifeEventTypes.PersonDied, deathId, DateTimeOffset.UtcNow,
            JsonSerializer.SerializeToElement(new PersonDiedData(deathId, personIndex, date, jurisdiction), JsonDefaults.Options));
    }

    static string NewIdNumber(int age) => RuntimeFixture.NewIdNumber("440106", Today.AddYears(-age).AddDays(-Random.Shared.Next(1, 300)));

    /// <summary>A 低保 household submitted at the 石牌 counter and granted (the case workflow's steps are not the subject here).</summary>
    async Task<(string Id, string[] IdNumbers)> GrantedHouseholdAsync(params (string Relationship, decimal Income)[] members)
    {
        var ids = members.Select(_ => NewIdNumber(40)).ToArray();
        var response = await fx.Api.As("shipai-officer", HttpMethod.Post, "api/assistance/applications", new
        {
            program = "minimumLivingAllowance",
            jurisdiction = "440106008001",
            bankAccount = "6222020200112233445",
            members = members.Select((m, i) => new { name = "张" + "伟芳娜敏"[i] + "明", idNumber = ids[i], relationship = m.Relationship, consentSigned = true, declaredMonthlyIncome = m.Income }),
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.JsonAsync()).GetProperty("id").GetString()!;
        var incomePerCapita = Math.Round(members.Sum(m => m.Income) / members.Length, 2);
        var program = Service<AssistanceApplicationService>().Program(AssistanceProgram.MinimumLivingAllowance);
        var allowance = Allowances.Monthly(program, incomePerCapita, members.Length);
        await Service<ApplicationRepository>().UpdateAsync(id, r => r with
        {
            Status = ApplicationStatus.Granted, IncomePerCapita = incomePerCapita, MonthlyAllowance = allowance, DecidedAt = DateTimeOffset.UtcNow,
        }, null, default);
        await Table("AssistanceGrants").CreateIfNotExistsAsync();
        await Table("AssistanceGrants").UpsertEntityAsync(new TableEntity(District, id)
        {
            ["Program"] = nameof(AssistanceProgram.MinimumLivingAllowance), ["Active"] = true, ["MonthlyAllowance"] = allowance.ToString("0.00", CultureInfo.InvariantCulture),
        });
        return (id, ids);
    }

    [Fact]
    public async Task A_members_death_recalculates_the_households_allowance_from_the_next_payment_month_and_a_second_delivery_changes_nothing()
    {
        // Three members: 1368 − 673 = 695 per head (income 2019 a month, the applicant's spouse earning 1000 of it).
        var (id, ids) = await GrantedHouseholdAsync(("applicant", 519m), ("spouse", 1000m), ("child", 500m));
        var before = (await Service<ApplicationRepository>().GetAsync(id, default))!;
        Assert.Equal(2085.00m, before.MonthlyAllowance);
        var died = await fx.Api.As("shipai-officer", HttpMethod.Post, "api/funeral/deaths", new { idNumber = ids[1], dateOfDeath = Yesterday.ToString("yyyy-MM-dd"), certificate = new { kind = "medical", number = "YX" + Guid.NewGuid().ToString("N")[..10] } });
        Assert.True(died.StatusCode == HttpStatusCode.Created, await died.Content.ReadAsStringAsync());
        // The registration's person.died reaches the subscriber through its queue too; whichever delivery comes first applies it.
        var e = Died(IndexOf(ids[1]), Yesterday);
        var summary = await Subscriber("assistance").HandleAsync(e, default);

        // The household loses the spouse's 1000: (2019 − 1000) / 2 = 509.50 per head, (1368 − 509.50) × 2 = 1717.00.
        var after = (await Service<ApplicationRepository>().GetAsync(id, default))!;
        Assert.Equal(ApplicationStatus.Granted, after.Status);
        Assert.Equal(2, after.MemberCount);
        Assert.Equal(509.50m, after.IncomePerCapita);
        Assert.Equal(1717.00m, after.MonthlyAllowance);
        Assert.Equal(2085.00m, after.PreviousMonthlyAllowance);
        var first = new DateOnly(Yesterday.Year, Yesterday.Month, 1).AddMonths(1);
        var current = new DateOnly(Today.Year, Today.Month, 1);
        var from = (first < current ? current : first).ToString("yyyyMM", CultureInfo.InvariantCulture);
        Assert.Equal(from, after.AllowanceChangedFrom);
        Assert.Equal($"社会救助：最低生活保障待遇已于 {Yesterday:yyyy-MM-dd} 停止，家庭其余 2 人的保障金已重新核定为每月 1,717.00 元（自 {from[..4]} 年 {int.Parse(from[4..], CultureInfo.InvariantCulture)} 月起）。", summary);
        var members = Service<AssistanceApplicationService>().MembersOf(after);
        Assert.Equal(Yesterday, members.Single(m => m.Relationship == Relationship.Spouse).DiedOn);
        Assert.Equal("1717.00", (await Table("AssistanceGrants").GetEntityAsync<TableEntity>(District, id)).Value.GetString("MonthlyAllowance"));

        // Delivered again: the same answer, nothing written.
        Assert.Equal(summary, await Subscriber("assistance").HandleAsync(e, default));
        var again = (await Service<ApplicationRepository>().GetAsync(id, default))!;
        Assert.Equal(after.ETag, again.ETag);

        // The next payment batch pays the re-calculated amount, no longer stopped by the death it accounts for.
        var batch = (await Service<PaymentService>().RunMonthAsync(from, District, default)).Single();
        var line = batch.Lines.Single(l => l.ApplicationId == id);
        Assert.True(line.Paid, line.SkipReason);
        Assert.Equal(1717.00m, line.Amount);
    }

    [Fact]
    public async Task The_death_of_a_households_only_member_ends_the_grant_with_assistance_ended_and_a_second_delivery_changes_nothing()
    {
        var (id, ids) = await GrantedHouseholdAsync(("applicant", 300m));
        var e = Died(IndexOf(ids[0]), Yesterday);
        var summary = await Subscriber("assistance").HandleAsync(e, default);
        Assert.Equal($"社会救助：最低生活保障待遇已于 {Yesterday:yyyy-MM-dd} 停止，救助终止。", summary);
        var after = (await Service<ApplicationRepository>().GetAsync(id, default))!;
        Assert.Equal(ApplicationStatus.Ended, after.Status);
        Assert.False((await Table("AssistanceGrants").GetEntityAsync<TableEntity>(District, id)).Value.GetBoolean("Active"));
        // The member's place is given back (the membership guard is gone), yet a redelivery answers the same and writes nothing.
        Assert.False((await Table("AssistanceMemberships").GetEntityIfExistsAsync<TableEntity>(IndexOf(ids[0])[..2], IndexOf(ids[0]))).HasValue);
        Assert.Equal(summary, await Subscriber("assistance").HandleAsync(e, default));
        Assert.Equal(after.ETag, (await Service<ApplicationRepository>().GetAsync(id, default))!.ETag);
    }

    [Fact]
    public async Task An_elders_death_closes_the_services_cancels_open_orders_unbinds_the_terminal_and_closes_welfare_checks_once()
    {
        var idNumber = RuntimeFixture.NewIdNumber("440104", new DateOnly(1940, 3, 1).AddDays(Random.Shared.Next(300)));
        var person = await fx.Api.As("beijing-officer", HttpMethod.Post, "api/persons",
            new { name = "赵桂兰", idNumber, phone = "13812345678", address = "广州市越秀区北京街道盐运西社区盐运西路 30 号", jurisdiction = "440104002001" });
        Assert.Equal(HttpStatusCode.Created, person.StatusCode);
        var personId = (await person.JsonAsync()).GetProperty("id").GetString()!;
        var enrolled = await fx.Api.As("beijing-officer", HttpMethod.Post, "api/elderly/elders", new
        {
            personId, category = "aged80Plus", livesAlone = true, home = new { latitude = 23.1225, longitude = 113.2710 },
            contacts = new[] { new { name = "赵小明", role = "relative", phone = "13912345678", consented = true } },
            services = new[] { "alarmService", "mealSubsidy", "homeCareBudget" },
        });
        Assert.True(enrolled.StatusCode == HttpStatusCode.Created, await enrolled.Content.ReadAsStringAsync());
        var elderId = (await enrolled.JsonAsync()).GetProperty("id").GetString()!;
        var ordered = await fx.Api.As("yanyunxi-worker", HttpMethod.Post, "api/elderly/home-care/orders",
            new { elderId, service = "cleaning", scheduledFor = Today.ToString("yyyy-MM-dd"), providerId = "tianhe-homecare" });
        Assert.True(ordered.StatusCode == HttpStatusCode.Created, await ordered.Content.ReadAsStringAsync());
        var orderId = (await ordered.JsonAsync()).GetProperty("id").GetString()!;
        var terminal = await fx.Api.As("beijing-officer", HttpMethod.Post, $"api/elderly/elders/{elderId}/terminals", new { kind = "oneButton" });
        Assert.True(terminal.StatusCode == HttpStatusCode.Created, await terminal.Content.ReadAsStringAsync());
        var stored = (await Service<ElderRepository>().GetAsync(elderId, default))!;
        Assert.True(await Service<WelfareCheckService>().RaiseAsync(stored, WelfareCheckReason.TerminalSilence, "test", new Dictionary<string, object>(), default));

        var e = Died(stored.IdIndex, Yesterday, "440104002001");
        var summary = await Subscriber("elderly").HandleAsync(e, default);
        Assert.Equal($"养老服务：平安通呼叫服务、助餐补贴、居家服务补贴自 {Today:yyyy-MM-dd} 起停止，已取消居家服务工单 1 项，平安通终端 1 台已解绑，待办探视任务 1 项已关闭。", summary);

        var elder = await (await fx.Api.As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{elderId}")).JsonAsync();
        Assert.All(elder.GetProperty("services").EnumerateArray(), s => Assert.False(s.GetProperty("activeToday").GetBoolean()));
        Assert.Equal(Yesterday.ToString("yyyy-MM-dd"), (await Table("Elders").GetEntityAsync<TableEntity>(elderId, "elder")).Value.GetString("DiedOn"));
        var order = await (await fx.Api.As("yanyunxi-worker", HttpMethod.Get, $"api/elderly/home-care/orders/{orderId}")).JsonAsync();
        Assert.Equal("cancelled", order.GetProperty("status").GetString());
        var terminals = await (await fx.Api.As("beijing-officer", HttpMethod.Get, $"api/elderly/elders/{elderId}/terminals")).JsonAsync();
        Assert.All(terminals.EnumerateArray(), t => Assert.Equal("revoked", t.GetProperty("status").GetString()));
        var checks = Table("ElderlyWelfareChecks").QueryAsync<TableEntity>(c => c.PartitionKey == "440104002001");
        await foreach (var check in checks)
            if (check.GetString("ElderId") == elderId) Assert.Equal("Closed", check.GetString("Status"));

        // Delivered again: the same answer, the elder's row untouched.
        var etag = (await Table("Elders").GetEntityAsync<TableEntity>(elderId, "elder")).Value.ETag;
        Assert.Equal(summary, await Subscriber("elderly").HandleAsync(e, default));
        Assert.Equal(etag, (await Table("Elders").GetEntityAsync<TableEntity>(elderId, "elder")).Value.ETag);
    }

    [Fact]
    public async Task A_spouses_death_ends_the_marriage_once()
    {
        var man = await fx.Api.AdultAsync(male: true);
        var woman = await fx.Api.AdultAsync(male: false);
        var record = await fx.Api.MarryAsync(man, woman);
        var recordId = record.GetProperty("id").GetString()!;
        var e = Died(IndexOf(man.IdNumber), Today);

        Assert.Equal("婚姻登记：婚姻状况已更新为丧偶。", await Subscriber("marriage").HandleAsync(e, default));
        var after = await fx.Api.OwnRecordAsync(woman, recordId);
        Assert.Equal("endedByDeath", after.GetProperty("status").GetString());
        Assert.Equal(Today.ToString("yyyy-MM-dd"), after.GetProperty("endedOn").GetString());

        var etag = (await Table("MarriageRecords").GetEntityAsync<TableEntity>(recordId, "record")).Value.ETag;
        Assert.Equal("婚姻登记：婚姻状况已更新为丧偶。", await Subscriber("marriage").HandleAsync(e, default));
        Assert.Equal(etag, (await Table("MarriageRecords").GetEntityAsync<TableEntity>(recordId, "record")).Value.ETag);
    }

    [Fact]
    public async Task A_person_the_areas_do_not_hold_is_answered_nothing_held_and_a_malformed_event_fails_for_the_poison_queue()
    {
        var nobody = IndexOf(NewIdNumber(70));
        Assert.Equal("社会救助：无在保记录。", await Subscriber("assistance").HandleAsync(Died(nobody, Yesterday), default));
        Assert.Equal("养老服务：无在册服务记录。", await Subscriber("elderly").HandleAsync(Died(nobody, Yesterday), default));
        Assert.Equal("婚姻登记：无在册婚姻记录。", await Subscriber("marriage").HandleAsync(Died(nobody, Yesterday), default));
        Assert.Equal(new[] { "assistance", "elderly", "marriage" }, fx.Runtime.Services.GetServices<ILifeEventSubscriber>().Select(s => s.Name).Where(n => n is "assistance" or "elderly" or "marriage").Order().ToArray());

        var empty = Died("", Yesterday);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Subscriber("assistance").HandleAsync(empty, default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Subscriber("elderly").HandleAsync(empty, default));
    }
}
