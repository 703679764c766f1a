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

/// <summary>A citizen account and the person it is bound to, if any.</summary>
public sealed record CitizenAccount(string Id, string? PersonId);

/// <summary>
/// Citizen accounts behind WeChat sign-in. The openid is never stored: accounts are found by
/// its blind index (<c>CitizenAccounts</c>, PartitionKey "wx-&lt;index&gt;") and kept under their
/// own id (PartitionKey = account id). Real-name binding (<see cref="RealNameBinding"/>) links an account to one person of
/// the person index; <see cref="CitizenBindings"/> holds which account a person is bound to.
/// </summary>
public sealed class CitizenAccounts(Tables tables, WeChatClient wechat, BlindIndex blindIndex, CitizenBindings bindings,
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
        return Result.Ok(await SessionAsync(account.Id, account.PersonId is { } p && await bindings.AccountOfAsync(p, ct) == account.Id ? p : null, ct));
    }

    public string OpenIdIndex(string openId) => blindIndex.Compute(OpenIdPurpose, openId);

    /// <summary>The account behind a citizen token's subject; null for tokens not issued to a WeChat account (development sign-in).</summary>
    public async Task<CitizenAccount?> FindAsync(string accountId, CancellationToken ct)
    {
        if (!Ids.TryParse(accountId, out _)) return null;
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(accountId, "account", cancellationToken: ct);
        return row.HasValue ? new CitizenAccount(accountId, row.Value!.GetString("PersonId")) : null;
    }

    /// <summary>Records the person an account is bound to (null: unbound). With <paramref name="onlyIf"/>, only while it holds that person.</summary>
    public Task SetPersonAsync(string accountId, string? personId, CancellationToken ct, string? onlyIf = null) =>
        Optimistic.RetryAsync("citizen account", async () =>
        {
            var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
            var found = await table.GetEntityIfExistsAsync<TableEntity>(accountId, "account", cancellationToken: ct);
            if (!found.HasValue) return;
            var entity = found.Value!;
            if (onlyIf is not null && entity.GetString("PersonId") != onlyIf) return;
            if (personId is null) { entity.Remove("PersonId"); entity["UnboundAt"] = clock.GetUtcNow(); }
            else { entity["PersonId"] = personId; entity["BoundAt"] = clock.GetUtcNow(); }
            await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
        }, ct);

    /// <summary>A new session for the account, carrying the person it is bound to.</summary>
    public async Task<CitizenSession> SessionAsync(string accountId, string? personId, CancellationToken ct)
    {
        var (token, expires) = await issuer.IssueCitizenTokenAsync(accountId, "市民", personId, ct);
        return new CitizenSession(token, expires, personId is not null);
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
            await bindings.ForceAsync(personId, account.Id, ct);
        }
        return account.Id;
    }

    /// <summary>The WeChat openid of the account bound to a person (for subscribe messages); decrypted in memory only.</summary>
    public async Task<IReadOnlyList<string>> OpenIdsOfPersonAsync(string personId, CancellationToken ct)
    {
        if (await bindings.AccountOfAsync(personId, ct) is not { } accountId) return [];
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var account = await table.GetEntityIfExistsAsync<TableEntity>(accountId, "account", cancellationToken: ct);
        return account.HasValue && account.Value!.GetString("PersonId") == personId && account.Value.GetString("OpenId") is { } token
            ? [cipher.Decrypt(token, OpenIdAad(accountId))]
            : [];
    }

    async Task RememberOpenIdAsync(string accountId, string openId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        await table.UpsertEntityAsync(new TableEntity(accountId, "account") { ["OpenId"] = cipher.Encrypt(openId, OpenIdAad(accountId)) }, TableUpdateMode.Merge, ct);
    }

    static string OpenIdAad(string accountId) => $"account/{accountId}/openid";

    async Task<CitizenAccount> GetOrCreateAsync(string openIdIndex, CancellationToken ct)
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
                return new CitizenAccount(id, null);
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
            return new CitizenAccount(accountId, null);
        }
        return new CitizenAccount(accountId, account.Value!.GetString("PersonId"));
    }
}
