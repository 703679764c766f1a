using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Application.Platform.WeChat;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Identity;

public sealed record CitizenSession(string AccessToken, DateTimeOffset ExpiresAt, bool RealNameBound);

public abstract record LoginOutcome
{
    public sealed record Success(CitizenSession Session) : LoginOutcome;
    public sealed record InvalidCode : LoginOutcome;
    public sealed record Rejected(int ErrCode) : LoginOutcome;
}

public abstract record BindOutcome
{
    public sealed record Invalid(IReadOnlyList<FieldError> Errors) : BindOutcome;
    public sealed record Mismatch : BindOutcome;
    public sealed record Bound(CitizenSession Session, PersonView Person) : BindOutcome;
}

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

    public async Task<LoginOutcome> LoginAsync(string code, string requestId, CancellationToken ct)
    {
        WeChatSession session;
        try { session = await wechat.CodeToSessionAsync(code, ct); }
        catch (WeChatApiException e) when (e.IsInvalidCode)
        {
            await audit.AppendAsync(null, new AuditEvent("auth.wechatLogin", AuditOutcome.Denied, Detail: $"errcode={e.ErrCode}"), requestId, ct);
            return new LoginOutcome.InvalidCode();
        }
        catch (WeChatApiException e)
        {
            await audit.AppendAsync(null, new AuditEvent("auth.wechatLogin", AuditOutcome.Denied, Detail: $"errcode={e.ErrCode}"), requestId, ct);
            return new LoginOutcome.Rejected(e.ErrCode);
        }

        var account = await GetOrCreateAsync(OpenIdIndex(session.OpenId), ct);
        await RememberOpenIdAsync(account.Id, session.OpenId, ct);
        var caller = new Caller(account.Id, "市民", Role.Citizen, null, account.PersonId, null, PlatformTokenIssuer.IssuerName);
        await audit.AppendAsync(caller, new AuditEvent("auth.wechatLogin", AuditOutcome.Success), requestId, ct);
        return new LoginOutcome.Success(await SessionAsync(account, ct));
    }

    public string OpenIdIndex(string openId) => blindIndex.Compute(OpenIdPurpose, openId);

    public async Task<BindOutcome> BindRealNameAsync(Caller caller, string? name, string? idNumber, string requestId, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new FieldError("name", "请填写姓名。"));
        var id = IdNumber.Validate(idNumber, ChinaTime.Today(clock));
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (errors.Count > 0) return new BindOutcome.Invalid(errors);

        var (record, index) = await persons.MatchAsync(id.Normalized!, name!, ct);
        if (record is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Failed, index, Detail: "mismatch"), requestId, ct);
            return new BindOutcome.Mismatch();
        }
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var entity = await table.GetEntityAsync<TableEntity>(caller.Subject, "account", cancellationToken: ct);
        entity.Value["PersonId"] = record.Id;
        entity.Value["BoundAt"] = clock.GetUtcNow();
        await table.UpdateEntityAsync(entity.Value, entity.Value.ETag, TableUpdateMode.Replace, ct);
        await LinkPersonAsync(caller.Subject, record.Id, ct);
        await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Success, index), requestId, ct);
        var account = new Account(caller.Subject, record.Id);
        var bound = caller with { PersonId = record.Id };
        var view = await persons.ReadAsync(bound, record.Id, null, requestId, ct);
        return new BindOutcome.Bound(await SessionAsync(account, ct), ((PersonOutcome.Found)view).View);
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
