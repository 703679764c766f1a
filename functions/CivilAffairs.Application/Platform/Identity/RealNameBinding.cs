using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Crypto;
using CivilAffairs.Application.Platform.Notifications;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Security;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Domain.Catalog;
using CivilAffairs.Domain.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Identity;

/// <summary>Section <c>Security:RealName</c>: the second factor of real-name binding.</summary>
public sealed class RealNameOptions
{
    /// <summary>How long a code sent to the phone on file stays valid.</summary>
    public TimeSpan CodeLifetime { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>The shortest gap between two codes sent to one person.</summary>
    public TimeSpan ResendAfter { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Codes one person can be sent per day (China time), so nobody can flood a stranger's phone.</summary>
    public int MaxCodesPerDay { get; set; } = 10;
}

/// <summary>Answer of <c>POST /api/auth/realname</c>: a code was sent to the phone on file.</summary>
public sealed record RealNameChallenge(string ChallengeId, string MaskedPhone, DateTimeOffset ExpiresAt);

/// <summary>Body of <c>POST /api/auth/realname/confirm</c>.</summary>
public sealed record RealNameConfirmation(string? ChallengeId, string? Code);

/// <summary>Body of <c>POST /api/persons/{id}/unbind</c>: why staff release a binding (kept in the audit log).</summary>
public sealed record UnbindRequest(string? Reason);

/// <summary>Answer of a staff release of a binding.</summary>
public sealed record UnbindResult(string PersonId, bool WasBound);

/// <summary>
/// Which citizen account a person is bound to: at most one. Table <c>CitizenAccounts</c>, PartitionKey
/// <c>person-{personId}</c>, RowKey <c>account</c> → <c>AccountId</c>. Claiming is an insert, so two accounts racing for one
/// person cannot both win. Tokens issued before a release stop carrying the person on their next call
/// (<see cref="ICallerRevalidation"/>): a platform citizen token is only as bound as this row says.
/// </summary>
public sealed class CitizenBindings(Tables tables, TimeProvider clock) : ICallerRevalidation
{
    const string RowKey = "account";
    static string Partition(string personId) => "person-" + personId;

    public async Task<string?> AccountOfAsync(string personId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(personId), RowKey, cancellationToken: ct);
        return row.HasValue ? row.Value!.GetString("AccountId") : null;
    }

    /// <summary>Binds the person to the account unless another account holds them; true when the account holds them now.</summary>
    public async Task<bool> ClaimAsync(string personId, string accountId, string how, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        try
        {
            await table.AddEntityAsync(new TableEntity(Partition(personId), RowKey) { ["AccountId"] = accountId, ["BoundAt"] = clock.GetUtcNow(), ["How"] = how }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return await AccountOfAsync(personId, ct) == accountId;
        }
    }

    /// <summary>Binds the person to the account whoever held them (demo data only).</summary>
    internal async Task ForceAsync(string personId, string accountId, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        await table.UpsertEntityAsync(new TableEntity(Partition(personId), RowKey) { ["AccountId"] = accountId, ["BoundAt"] = clock.GetUtcNow(), ["How"] = "import" }, TableUpdateMode.Replace, ct);
    }

    /// <summary>Releases the person; with <paramref name="onlyAccount"/>, only if that account holds them. The released account, if any.</summary>
    public async Task<string?> ReleaseAsync(string personId, string? onlyAccount, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.CitizenAccounts, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(personId), RowKey, cancellationToken: ct);
        if (!row.HasValue) return null;
        var holder = row.Value!.GetString("AccountId");
        if (onlyAccount is not null && holder != onlyAccount) return null;
        try { await table.DeleteEntityAsync(Partition(personId), RowKey, row.Value.ETag, ct); }
        catch (RequestFailedException e) when (e.Status is 404 or 412) { return null; }
        return holder;
    }

    public async ValueTask<Caller?> RevalidateAsync(Caller caller, CancellationToken ct)
    {
        if (caller is not { Role: Role.Citizen, Issuer: PlatformTokenIssuer.IssuerName, PersonId: { } personId }) return caller;
        return await AccountOfAsync(personId, ct) == caller.Subject ? caller : caller with { PersonId = null };
    }
}

/// <summary>
/// Real-name binding as a proof, not a claim. Step 1 (<c>POST /api/auth/realname</c>): name and ID number must match the
/// person index, and a six-digit code goes by SMS to the mobile number on file — which someone who merely knows the name
/// and ID number does not have. Step 2 (<c>POST /api/auth/realname/confirm</c>): the code binds the account, unless the
/// person is bound to another account (then they unbind there first, or staff release the binding at the window with an
/// audited reason). Mismatches and wrong codes count against the person (<see cref="Lockout"/>), whatever address or
/// account they come from. Nothing before the code reveals whether the person is bound.
/// </summary>
public sealed class RealNameBinding(Tables tables, PersonIndex persons, CitizenBindings bindings, CitizenAccounts accounts,
    Lockout lockout, ISmsSender sms, BlindIndex blindIndex, AuditLog audit, IOptions<RealNameOptions> options,
    TimeProvider clock, ILogger<RealNameBinding> logger)
{
    const string CodePurpose = "realname.code";
    const int MaxCodeAttempts = 5;
    RealNameOptions Options => options.Value;

    public async Task<Result<RealNameChallenge>> StartAsync(CallContext call, RealNameRequest request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 50) errors.Add(new FieldError("name", "请填写姓名（不超过 50 个字）。"));
        var id = IdNumber.Validate(request.IdNumber, ChinaTime.Today(clock));
        if (!id.IsValid) errors.Add(new FieldError("idNumber", id.Message ?? "身份证号码无效。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var account = await accounts.FindAsync(caller.Subject, ct);
        if (account is null) return NotAvailable();
        if (account.PersonId is not null && await bindings.AccountOfAsync(account.PersonId, ct) == account.Id)
            return Problem.Conflict("REALNAME_ALREADY_DONE", "本账号已实名认证", "本账号已完成实名认证；如需绑定其他身份，请先解除当前绑定。");

        var index = persons.IndexOf(id.Normalized!);
        if (await lockout.CheckAsync(Lockout.RealNameBinding, index, ct) is { } locked) return locked;
        var (record, _) = await persons.MatchAsync(id.Normalized!, request.Name!, ct);
        if (record is null)
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Failed, index, Detail: "mismatch"), requestId, ct);
            return await lockout.FailAsync(Lockout.RealNameBinding, index, requestId, ct)
                ?? new Problem(422, "REALNAME_MISMATCH", "实名信息不匹配", "姓名与身份证号码未能与人口信息库匹配，请核对或到社区登记。");
        }
        if (record.Phone is not { } mobile || !IsMobile(mobile))
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Failed, index, Detail: "noMobile"), requestId, ct);
            return new Problem(422, "REALNAME_NO_MOBILE", "无法发送验证码", "人口信息库中没有您的手机号码，无法发送验证码。请携带身份证到社区或政务服务窗口登记手机号码后再试。");
        }
        if (!sms.Available)
            return Problem.Unavailable("SMS_UNAVAILABLE", "短信服务暂不可用", "暂时无法发送验证码，请稍后再试或到窗口办理。");

        var now = clock.GetUtcNow();
        if (await ReserveSendAsync(index, now, ct) is { } tooSoon) return tooSoon;

        var challengeId = Ids.New(clock);
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");
        var expires = now + Options.CodeLifetime;
        var table = await tables.GetAsync(TableNames.RealNameChallenges, ct);
        await table.AddEntityAsync(new TableEntity(account.Id, challengeId)
        {
            ["PersonId"] = record.Id,
            ["IdIndex"] = index,
            ["CodeHash"] = CodeHash(challengeId, code),
            ["ExpiresAt"] = expires,
            ["Attempts"] = 0,
            ["Used"] = false,
        }, ct);
        try
        {
            await sms.SendAsync(mobile, $"您正在广州民政办理实名认证，验证码 {code}，{(int)Options.CodeLifetime.TotalMinutes} 分钟内有效。如非本人操作，请勿告诉他人，并留意个人信息安全。", ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Real-name code could not be sent: {Error}", e.Message);
            return Problem.Unavailable("SMS_UNAVAILABLE", "短信服务暂不可用", "暂时无法发送验证码，请稍后再试或到窗口办理。");
        }
        await audit.AppendAsync(caller, new AuditEvent("auth.realNameChallenge", AuditOutcome.Success, index), requestId, ct);
        return Result.Ok(new RealNameChallenge(challengeId, Masking.MaskPhone(mobile)!, expires));
    }

    public async Task<Result<RealNameResult>> ConfirmAsync(CallContext call, RealNameConfirmation request)
    {
        var (caller, requestId, ct) = call;
        var errors = new List<FieldError>();
        if (!Ids.TryParse(request.ChallengeId, out _)) errors.Add(new FieldError("challengeId", "请提供发送验证码时返回的 challengeId。"));
        if (request.Code is not { Length: 6 } code || !code.All(char.IsAsciiDigit)) errors.Add(new FieldError("code", "验证码为 6 位数字。"));
        if (errors.Count > 0) return Problem.Invalid(errors);

        var account = await accounts.FindAsync(caller.Subject, ct);
        if (account is null) return NotAvailable();
        var table = await tables.GetAsync(TableNames.RealNameChallenges, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(account.Id, request.ChallengeId!, cancellationToken: ct);
        var now = clock.GetUtcNow();
        if (!found.HasValue || found.Value!.GetBoolean("Used") == true || found.Value.GetDateTimeOffset("ExpiresAt") <= now)
            return new Problem(422, "REALNAME_CODE_EXPIRED", "验证码已失效", "验证码已过期或已使用，请重新获取验证码。");
        var challenge = found.Value!;
        var index = challenge.GetString("IdIndex");
        if (await lockout.CheckAsync(Lockout.RealNameBinding, index, ct) is { } locked) return locked;

        var attempts = (challenge.GetInt32("Attempts") ?? 0) + 1;
        var right = CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(CodeHash(request.ChallengeId!, request.Code!)), Encoding.ASCII.GetBytes(challenge.GetString("CodeHash")));
        challenge["Attempts"] = attempts;
        challenge["Used"] = right || attempts >= MaxCodeAttempts;
        try { await table.UpdateEntityAsync(challenge, challenge.ETag, TableUpdateMode.Replace, ct); }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Another confirmation of the same code got there first: one code, one use.
            return new Problem(422, "REALNAME_CODE_EXPIRED", "验证码已失效", "验证码已过期或已使用，请重新获取验证码。");
        }
        if (!right)
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Failed, index, Detail: "wrongCode"), requestId, ct);
            return await lockout.FailAsync(Lockout.RealNameBinding, index, requestId, ct)
                ?? new Problem(422, "REALNAME_CODE_WRONG", "验证码不正确",
                    attempts >= MaxCodeAttempts ? "验证码错误次数过多，请重新获取验证码。" : "验证码不正确，请核对短信后重新输入。");
        }
        await lockout.ResetAsync(Lockout.RealNameBinding, index, ct);

        var personId = challenge.GetString("PersonId");
        if (!await bindings.ClaimAsync(personId, account.Id, "sms", ct))
        {
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Denied, index, Detail: "boundElsewhere"), requestId, ct);
            return Problem.Conflict("REALNAME_ALREADY_BOUND", "该身份已绑定其他账号",
                "您的身份已绑定另一个微信账号。请在原账号中解除绑定后再试；无法登录原账号的，请携带身份证到街道政务服务窗口办理解绑。");
        }
        await accounts.SetPersonAsync(account.Id, personId, ct);
        await audit.AppendAsync(caller, new AuditEvent("auth.realNameBind", AuditOutcome.Success, index), requestId, ct);
        var bound = call with { Principal = caller with { PersonId = personId } };
        var person = await persons.ReadAsync(bound, personId, null);
        if (person.Problem is { } problem) return problem;
        return Result.Ok(new RealNameResult(await accounts.SessionAsync(account.Id, personId, ct), person.Value!));
    }

    /// <summary>The citizen releases their own binding (<c>POST /api/auth/realname/unbind</c>); answers an unbound session.</summary>
    public async Task<Result<CitizenSession>> UnbindOwnAsync(CallContext call)
    {
        var (caller, requestId, ct) = call;
        var account = await accounts.FindAsync(caller.Subject, ct);
        if (account is null) return NotAvailable();
        if (account.PersonId is { } personId)
        {
            var released = await bindings.ReleaseAsync(personId, account.Id, ct);
            await accounts.SetPersonAsync(account.Id, null, ct);
            await audit.AppendAsync(caller, new AuditEvent("auth.realNameUnbind", AuditOutcome.Success, await IndexOfPersonAsync(personId, ct),
                Detail: released is null ? "notHeld" : "self"), requestId, ct);
        }
        return Result.Ok(await accounts.SessionAsync(account.Id, null, ct));
    }

    /// <summary>Staff release a person's binding at the window (identity checked in person), with a reason kept in the audit log.</summary>
    public async Task<Result<UnbindResult>> UnbindByStaffAsync(CallContext call, string personId, UnbindRequest request)
    {
        var (caller, requestId, ct) = call;
        var reason = request.Reason?.Trim();
        if (reason is not { Length: >= 4 and <= 200 })
            return Problem.Invalid("reason", "请填写解除绑定的原因（4 至 200 字），例如“本人持身份证到窗口申请，原微信号已无法登录”。");
        var record = await persons.LoadAsync(personId, ct);
        if (record is null) return PersonIndex.NotFound();
        if (!AccessPolicy.InScope(caller, new ResourceScope(record.Jurisdiction)))
        {
            await audit.AppendAsync(caller, new AuditEvent("person.unbindAccount", AuditOutcome.Denied, record.IdIndex, Detail: "outOfScope"), requestId, ct);
            return PersonIndex.NotFound();
        }
        var released = await bindings.ReleaseAsync(personId, null, ct);
        if (released is not null) await accounts.SetPersonAsync(released, null, ct, onlyIf: personId);
        await audit.AppendAsync(caller, new AuditEvent("person.unbindAccount", AuditOutcome.Success, record.IdIndex,
            Detail: "reason: " + Masking.MaskFreeText(reason)), requestId, ct);
        return Result.Ok(new UnbindResult(personId, released is not null));
    }

    async Task<string?> IndexOfPersonAsync(string personId, CancellationToken ct) => (await persons.LoadAsync(personId, ct))?.IdIndex;

    /// <summary>Codes to one person are spaced and capped per day (PartitionKey <c>sent</c>, RowKey = the person's blind index).</summary>
    async Task<Problem?> ReserveSendAsync(string index, DateTimeOffset now, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.RealNameChallenges, ct);
        var today = ChinaTime.Today(clock).ToString("yyyyMMdd");
        return await Optimistic.RetryAsync<Problem?>("real-name code", async () =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>("sent", index, cancellationToken: ct);
            var row = found.HasValue ? found.Value! : new TableEntity("sent", index);
            if (row.GetDateTimeOffset("LastSentAt") is { } last && now - last < Options.ResendAfter)
                return TooSoon("验证码已发送，请稍后再重新获取。", last + Options.ResendAfter - now);
            var count = row.GetString("Day") == today ? (row.GetInt32("Count") ?? 0) : 0;
            if (count >= Options.MaxCodesPerDay)
                return TooSoon("今日获取验证码次数已达上限，请明天再试或到窗口办理。", new DateTimeOffset(ChinaTime.Today(clock).AddDays(1).ToDateTime(TimeOnly.MinValue), ChinaTime.Offset) - now);
            row["LastSentAt"] = now;
            row["Day"] = today;
            row["Count"] = count + 1;
            if (found.HasValue) await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            else await Optimistic.InsertAsync(table, row, ct);
            return null;
        }, ct);
    }

    static Problem TooSoon(string detail, TimeSpan wait) =>
        new Problem(429, "REALNAME_CODE_TOO_SOON", "获取验证码过于频繁", detail).With("retryAfterSeconds", Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));

    static bool IsMobile(string phone) => phone is { Length: 11 } && phone[0] == '1' && phone.All(char.IsAsciiDigit);

    static Problem NotAvailable() =>
        Problem.Conflict("REALNAME_NOT_AVAILABLE", "此账号不能办理实名认证", "实名认证只能在通过微信登录的市民账号中办理。");

    string CodeHash(string challengeId, string code) => blindIndex.Compute(CodePurpose, challengeId + ":" + code);
}
