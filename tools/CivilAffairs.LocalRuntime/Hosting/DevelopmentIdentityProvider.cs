using System.Security.Cryptography;
using System.Text.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Domain.Platform;
using CivilAffairs.Functions.Platform.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CivilAffairs.LocalRuntime.Hosting;

/// <summary>A demo account of the development identity provider.</summary>
public sealed record DevAccount(string Id, string DisplayName, Role Role, string? Jurisdiction, string? PersonId = null, string? Channel = null);

/// <summary>
/// Development identity provider, part of the one-machine runtime and served only when the
/// environment is Development (never in Azure, where staff tokens come from Entra ID). Signs
/// tokens for the demo accounts with an ECDSA P-256 key kept in the data folder.
/// </summary>
public sealed class DevelopmentIdentityProvider : ITrustedIssuer
{
    public const string IssuerName = "urn:civilaffairs:dev-idp";
    public const string Audience = "urn:civilaffairs:api";
    readonly ECDsaSecurityKey key;

    /// <summary>Demo people (fixed ids so citizen accounts can be bound to them).</summary>
    public static class DemoPersons
    {
        public const string ZhangWei = "01JCZ8DEM00000000000000001";
        public const string LiuFang = "01JCZ8DEM00000000000000002";
        public const string LiJianguo = "01JCZ8DEM00000000000000003";
        public const string LiNa = "01JCZ8DEM00000000000000004";
        public const string ZhangXiaoming = "01JCZ8DEM00000000000000005";
        public const string ChenXiuying = "01JCZ8DEM00000000000000006";
        /// <summary>The demo couple of marriage registration (王磊, 陈静), an under-age man (刘洋) and a single woman (孙丽).</summary>
        public const string WangLei = "01JCZ8DEM00000000000000007";
        public const string ChenJing = "01JCZ8DEM00000000000000008";
        public const string LiuYang = "01JCZ8DEM00000000000000009";
        public const string SunLi = "01JCZ8DEM00000000000000010";
        /// <summary>王建华 (78), 王磊's father: the person whose death the funeral demo registers (王磊 is the informant).</summary>
        public const string WangJianhua = "01JCZ8DEM00000000000000011";
    }

    public static readonly IReadOnlyList<DevAccount> Accounts =
    [
        new("city-admin", "王主任（市民政局）", Role.CityAdministrator, "440100"),
        new("auditor", "陈审计（市民政局审计）", Role.Auditor, "440100"),
        new("tianhe-approver", "天河区民政局审批员", Role.DistrictApprover, "440106"),
        new("yuexiu-approver", "越秀区民政局审批员", Role.DistrictApprover, "440104"),
        new("shipai-officer", "石牌街道办事员", Role.StreetOfficer, "440106008"),
        new("wushan-officer", "五山街道办事员", Role.StreetOfficer, "440106005"),
        new("beijing-officer", "北京街道办事员（越秀）", Role.StreetOfficer, "440104002"),
        new("huashi-worker", "华师社区工作者", Role.CommunityWorker, "440106008001"),
        new("yanyunxi-worker", "盐运西社区工作者", Role.CommunityWorker, "440104002001"),
        new("citizen-zhang", "张伟（市民）", Role.Citizen, null, DemoPersons.ZhangWei),
        new("citizen-li", "李娜（市民）", Role.Citizen, null, DemoPersons.LiNa),
        new("partner-police", "市公安局（合作单位）", Role.PartnerSystem, null, Channel: "police"),
        new("device-drone-01", "救灾无人机 01", Role.Device, null, Channel: "drone-01"),
        new("meal-terminal-yuexiu", "北京街道长者饭堂助餐终端", Role.Device, null, Channel: DemoData.MealTerminalYuexiu), new("meal-terminal-tianhe", "石牌街道长者饭堂助餐终端", Role.Device, null, Channel: DemoData.MealTerminalTianhe),
        new("device-pat-button-01", "平安通一键呼叫终端 01（李建国）", Role.Device, null, Channel: "pat-button-01"),
        new("pat-operator-1", "平安通话务员 1（市平安通中心）", Role.AlarmOperator, "440100", Channel: "pat-center"),
        new("pat-operator-2", "平安通话务员 2（市平安通中心）", Role.AlarmOperator, "440100", Channel: "pat-center"),
        new("pat-supervisor", "平安通值班主管（市平安通中心）", Role.AlarmSupervisor, "440100", Channel: "pat-center"),
        new("tianhe-carer", "天河居家服务护理员", Role.CareWorker, "440106", Channel: "tianhe-homecare"),
        new("citizen-wanglei", "王磊（市民）", Role.Citizen, null, DemoPersons.WangLei),
        new("citizen-chenjing", "陈静（市民）", Role.Citizen, null, DemoPersons.ChenJing),
        new("citizen-liuyang", "刘洋（市民，未满 22 周岁）", Role.Citizen, null, DemoPersons.LiuYang),
        new("citizen-sunli", "孙丽（市民）", Role.Citizen, null, DemoPersons.SunLi),
        new("registrar-tianhe", "天河区婚姻登记处登记员", Role.MarriageRegistrar, "440106", Channel: DemoData.MarriageOfficeTianhe),
        new("registrar-yuexiu", "越秀区婚姻登记处登记员", Role.MarriageRegistrar, "440104", Channel: DemoData.MarriageOfficeYuexiu),
        new("registrar-haizhu", "海珠区婚姻登记处登记员", Role.MarriageRegistrar, "440105", Channel: DemoData.MarriageOfficeHaizhu),
        new("court-tianhe", "广州市天河区人民法院", Role.Institution, null, Channel: "court-tianhe"),
        new("notary-guangzhou", "广州市南方公证处", Role.Institution, null, Channel: "notary-guangzhou"),
        // Funeral and life events: two staff of the city funeral home (a handover needs two people) and one of a cemetery.
        new("funeral-staff-a", "广州市殡仪馆工作人员（甲）", Role.FuneralStaff, "440100", Channel: DemoData.FuneralHome),
        new("funeral-staff-b", "广州市殡仪馆工作人员（乙）", Role.FuneralStaff, "440100", Channel: DemoData.FuneralHome),
        new("cemetery-yinhe", "银河园工作人员", Role.FuneralStaff, "440100", Channel: DemoData.Cemetery),
    ];

    public DevelopmentIdentityProvider(string dataDirectory)
    {
        var file = Path.Combine(dataDirectory, "dev-idp-key.json");
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(file))
            ecdsa.ImportPkcs8PrivateKey(Convert.FromBase64String(JsonSerializer.Deserialize<string>(File.ReadAllText(file))!), out _);
        else
        {
            Directory.CreateDirectory(dataDirectory);
            File.WriteAllText(file, JsonSerializer.Serialize(Convert.ToBase64String(ecdsa.ExportPkcs8PrivateKey())));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        key = new ECDsaSecurityKey(ecdsa) { KeyId = "dev-idp-1" };
    }

    public string Issuer => IssuerName;

    public Task<TokenValidationParameters> GetValidationParametersAsync(CancellationToken ct) => Task.FromResult(new TokenValidationParameters
    {
        ValidIssuer = IssuerName,
        ValidAudience = Audience,
        IssuerSigningKey = key,
        ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        ClockSkew = TimeSpan.FromMinutes(1),
    });

    public string Issue(DevAccount account, TimeSpan lifetime, DateTimeOffset? now = null)
    {
        var issuedAt = now ?? DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = account.Id,
            [ClaimNames.Name] = account.DisplayName,
            [ClaimNames.Role] = ClaimNames.RoleValue(account.Role),
        };
        if (account.Jurisdiction is not null) claims[ClaimNames.Jurisdiction] = account.Jurisdiction;
        if (account.PersonId is not null) claims[ClaimNames.PersonId] = account.PersonId;
        if (account.Channel is not null) claims[ClaimNames.Channel] = account.Channel;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IssuerName,
            Audience = Audience,
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = (issuedAt + lifetime).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
    }

    sealed record TokenRequest(string? Account);

    /// <summary>GET /api/dev/accounts and POST /api/dev/token.</summary>
    public void Map(IEndpointRouteBuilder app, string routePrefix)
    {
        var prefix = "/" + (string.IsNullOrEmpty(routePrefix) ? "" : routePrefix.Trim('/') + "/") + "dev";
        app.MapGet(prefix + "/accounts", () => Results.Json(Accounts.Select(a => new
        {
            id = a.Id, displayName = a.DisplayName, role = ClaimNames.RoleValue(a.Role), jurisdiction = a.Jurisdiction, channel = a.Channel,
        }), Application.Platform.Json.JsonDefaults.Options));
        app.MapPost(prefix + "/token", async (HttpContext http) =>
        {
            var body = await JsonBody.ReadAsync<TokenRequest>(http.Request, 4096, http.RequestAborted);
            if (body.Problem is { } bad) { await Execute(http, bad.ToActionResult()); return; }
            var account = Accounts.FirstOrDefault(a => a.Id == body.Value!.Account);
            if (account is null)
            {
                await Execute(http, Problem.NotFound("DEV_ACCOUNT_NOT_FOUND", "演示账号不存在", "可用账号见 GET /api/dev/accounts。").ToActionResult());
                return;
            }
            var lifetime = TimeSpan.FromHours(8);
            await http.Response.WriteAsJsonAsync(new { accessToken = Issue(account, lifetime), tokenType = "Bearer", expiresIn = (int)lifetime.TotalSeconds });
        });
    }

    static Task Execute(HttpContext http, Microsoft.AspNetCore.Mvc.IActionResult result) =>
        result.ExecuteResultAsync(new Microsoft.AspNetCore.Mvc.ActionContext(http, http.GetRouteData(), new Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor()));
}
