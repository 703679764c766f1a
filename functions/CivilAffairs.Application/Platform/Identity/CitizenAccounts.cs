using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Identity;

public sealed record CitizenSession(string AccessToken, DateTimeOffset ExpiresAt, bool RealNameBound);

/// <summary>Body of <c>POST /api/auth/wechat/login</c>: the code from <c>wx.login</c>.</summary>
public sealed record WeChatLoginRequest(string? Code);

/// <summary>Body of <c>POST /api/auth/realname</c>.</summary>
public sealed record RealNameRequest(string? Name, string? IdNumber);

/// <summary>Answer of a real-name binding: a new session (now bound) and the person, masked.</summary>
public sealed record RealNameResult(CitizenSession Session, PersonView Person);

/// <summary>
/// Citizen accounts behind WeChat sign-in. The openid is never stored: accounts are found by
/// its blind index (<c>CitizenAccounts</c>, PartitionKey "wx-&lt;index&gt;") and kept under their
/// own id (PartitionKey = account id). Real-name binding links an account to the person index
/// when name and ID number match a registered person.
/// </summary>
public sealed class CitizenAccounts(Tables tables, WeChatClient wechat, BlindIndex blindIndex, PersonIndex persons,
    PlatformTokenIssuer issuer, AuditLog audit, FieldCipher cipher, TimeProvider clock)
{
    public const string OpenIdPurpose = "wechat.openid";

    public async Task<Result<CitizenSession>> LoginAsync(CallContext call, WeChatLoginRequest request)
    {
        var (requestId, ct) = (call.RequestId, call.Cancellation);
        if (request.Code is not { Length: > 0 and <= 128 } code)
            return Problem.Invalid("code", "请提供 wx.login 返回的 code。");
        WeChatSession session;
        try { session = await wechat.CodeToSessionAsync(code, ct); }
        catch (WeChatApiException e)
        {
            await audit.AppendAsync(null, new AuditEvent("auth.wechatLogin", AuditOutcome.Denied, Detail: $"errcode={e.ErrCode}"), requestId, ct);
            return e.IsInvalidCode
                ? Problem.Unauthenticated("WECHAT_CODE_INVALID", "微信登录凭证无效", "code 无效、已过期或已使用，请重新调用 wx.login。")
                : Problem.Unauthenticated("WECHAT_LOGIN_REJECTED", "微信登录失败", $"微信返回错误（{e.ErrCode}），请稍后重试。");
        }

        var account = await GetOrCreateAsync(OpenIdIndex(session.OpenId), ct);
        await RememberOpenIdAsync(account.Id, session.OpenId, ct);
        var caller = new Caller(account.Id, "市民", Role.Citizen, null, account.PersonId, null, PlatformTokenIssuer.IssuerName);
        await audit.AppendAsync(caller, new AuditEvent("auth.wechatLogin", AuditOutcome.Success), requestId, ct);
        return Result.Ok(await SessionAsync(account, ct));
    }

    public string OpenIdIndex(string openId) => blindIndex.Compute(OpenIdPurpose, openId);

    public async Task<Result<RealNameResult>> BindRealNameAsync(CallContext call, RealNameRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Name)) errors.Add(new FieldError("name", "请填写姓名。"));
        var id = IdNumber.Validate(request.IdNumber, ChinaTime.Today(clock));
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var (record, index) = await persons.MatchAsync(id.Normalized!, request.Name!, ct);
        if (record is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Failed, index, Detail: "mismatch"), requestId, ct);
            return new Problem(422, "REALNAME_MISMATCH", "实名信息不匹配", "姓名与身份证号码未能与人口信息库匹配，请核对或到社区登记。");
        }
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        await Optimistic.RetryAsync("citizen account", async () =>
        {
            var entity = (await table.GetEntityAsync<TableEntity>(caller.Subject, "account", cancellationToken: ct)).Value;
            entity["PersonId"] = record.Id;
            entity["BoundAt"] = clock.GetUtcNow();
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
        }, ct);
        await LinkPersonAsync(caller.Subject, record.Id, ct);
        await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Success, index), requestId, ct);
        var account = new Account(caller.Subject, record.Id);
        var person = await persons.ReadAsync(call with { Principal = caller with { PersonId = record.Id } }, record.Id, null);
        if (person.Problem is { } problem) return problem;
        return Result.Ok(new RealNameResult(await SessionAsync(account, ct), person.Value!));
    }

    /// <summary>Creates (or finds) the account for an openid and, for demo data, binds it to a person.</summary>
    public async Task<string> EnsureAccountAsync(string openId, string? personId, CancellationToken ct)
    {
        var openIdIndex = OpenIdIndex(openId);
        var account = await GetOrCreateAsync(openIdIndex, ct);
        await RememberOpenIdAsync(account.Id, openId, ct);
        if (personId is not null && account.PersonId != personId)
        {
            var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
            await table.UpsertEntityAsync(new TableEntity(account.Id, "account") { ["OpenIdIndex"] = openIdIndex, ["PersonId"] = personId, ["BoundAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, ct);
            await LinkPersonAsync(account.Id, personId, ct);
        }
        return account.Id;
    }

    /// <summary>The WeChat openids of the accounts bound to a person (for subscribe messages); decrypted in memory only.</summary>
    public async Task<IReadOnlyList<string>> OpenIdsOfPersonAsync(string personId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var result = new List<string>();
        await foreach (var link in table.QueryAsync<TableEntity>(e => e.PartitionKey == "person-" + personId, cancellationToken: ct))
        {
            var account = await table.GetEntityIfExistsAsync<TableEntity>(link.RowKey, "account", cancellationToken: ct);
            if (account.HasValue && account.Value!.GetString("PersonId") == personId && account.Value.GetString("OpenId") is { } token)
                result.Add(cipher.Decrypt(token, OpenIdAad(link.RowKey)));
        }
        return result;
    }

    async Task RememberOpenIdAsync(string accountId, string openId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        await table.UpsertEntityAsync(new TableEntity(accountId, "account") { ["OpenId"] = cipher.Encrypt(openId, OpenIdAad(accountId)) }, TableUpdateMode.Merge, ct);
    }

    async Task LinkPersonAsync(string accountId, string personId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        await table.UpsertEntityAsync(new TableEntity("person-" + personId, accountId) { ["LinkedAt"] = clock.GetUtcNow() }, TableUpdateMode.Replace, ct);
    }

    static string OpenIdAad(string accountId) => $"account/{accountId}/openid";

    sealed record Account(string Id, string? PersonId);

    async Task<Account> GetOrCreateAsync(string openIdIndex, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var link = await table.GetEntityIfExistsAsync<TableEntity>("wx-" + openIdIndex, "openid", cancellationToken: ct);
        if (!link.HasValue)
        {
            var id = Ids.New(clock);
            try
            {
                await table.AddEntityAsync(new TableEntity("wx-" + openIdIndex, "openid") { ["AccountId"] = id }, ct);
                await table.AddEntityAsync(new TableEntity(id, "account") { ["OpenIdIndex"] = openIdIndex, ["CreatedAt"] = clock.GetUtcNow() }, ct);
                return new Account(id, null);
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                link = await table.GetEntityIfExistsAsync<TableEntity>("wx-" + openIdIndex, "openid", cancellationToken: ct);
            }
        }
        var accountId = link.Value!.GetString("AccountId");
        var account = await table.GetEntityIfExistsAsync<TableEntity>(accountId, "account", cancellationToken: ct);
        if (!account.HasValue)
        {
            // The link was written by a login that failed before the account row: finish it.
            await table.UpsertEntityAsync(new TableEntity(accountId, "account") { ["OpenIdIndex"] = openIdIndex, ["CreatedAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, ct);
            return new Account(accountId, null);
        }
        return new Account(accountId, account.Value!.GetString("PersonId"));
    }

    async Task<CitizenSession> SessionAsync(Account account, CancellationToken ct)
    {
        var (token, expires) = await issuer.IssueCitizenTokenAsync(account.Id, "市民", account.PersonId, ct);
        return new CitizenSession(token, expires, account.PersonId is not null);
    }
}
