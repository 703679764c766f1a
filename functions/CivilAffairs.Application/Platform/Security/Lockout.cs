using Azure.Data.Tables;
using CivilAffairs.Application.Platform.Audit;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Application.Platform.Storage;
using Microsoft.Extensions.Options;

namespace CivilAffairs.Application.Platform.Security;

/// <summary>Failure limits for secrets (section <c>Security:Lockout</c>).</summary>
public sealed class LockoutOptions
{
    /// <summary>Failures within <see cref="Window"/> that lock the target.</summary>
    public int MaxFailures { get; set; } = 5;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan LockFor { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Limits on guessing a secret per <b>target</b> — a device's secret, a person's real-name binding — however many addresses
/// the guesses come from (MLPS level 3: login-failure handling). Table <c>Lockouts</c>: PartitionKey = purpose, RowKey = the
/// target's key (a device id or a blind index, never an identifier). After <see cref="LockoutOptions.MaxFailures"/>
/// failures within the window the target is locked for <see cref="LockoutOptions.LockFor"/>; locking is audited; a
/// success clears the count.
/// </summary>
public sealed class Lockout(Tables tables, AuditLog audit, IOptions<LockoutOptions> options, TimeProvider clock)
{
    public const string DeviceSecret = "deviceSecret";
    public const string RealNameBinding = "realNameBinding";

    LockoutOptions Options => options.Value;

    /// <summary>Keys are ids or blind indexes; anything else would not be a valid table key.</summary>
    static string Key(string key) =>
        key is { Length: > 0 and <= 128 } && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? key : throw new ArgumentException("A lockout key must be an id or a blind index.", nameof(key));

    /// <summary>429 <c>TOO_MANY_FAILURES</c> while the target is locked, with when to try again.</summary>
    public static Problem Locked(DateTimeOffset until, DateTimeOffset now) =>
        new Problem(429, "TOO_MANY_FAILURES", "失败次数过多，已暂时锁定", $"连续失败次数过多，请于 {Math.Max(1, (int)Math.Ceiling((until - now).TotalMinutes))} 分钟后再试，或到窗口办理。")
            .With("retryAfterSeconds", Math.Max(1, (int)Math.Ceiling((until - now).TotalSeconds)));

    /// <summary>The lock on the target, or null when it may try.</summary>
    public async Task<Problem?> CheckAsync(string purpose, string key, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Lockouts, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(purpose, Key(key), cancellationToken: ct);
        var now = clock.GetUtcNow();
        return row.HasValue && row.Value!.GetDateTimeOffset("LockedUntil") is { } until && until > now ? Locked(until, now) : null;
    }

    /// <summary>Counts a failure; returns the lock when this failure locked the target.</summary>
    public async Task<Problem?> FailAsync(string purpose, string key, string? requestId, CancellationToken ct)
    {
        key = Key(key);
        var table = await tables.GetAsync(TableNames.Lockouts, ct);
        var now = clock.GetUtcNow();
        var locked = await Optimistic.RetryAsync<DateTimeOffset?>($"lockout {purpose}", async () =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(purpose, key, cancellationToken: ct);
            var row = found.HasValue ? found.Value! : new TableEntity(purpose, key);
            var since = row.GetDateTimeOffset("WindowStart");
            var count = since is { } s && now - s < Options.Window ? (row.GetInt32("Failures") ?? 0) + 1 : 1;
            row["WindowStart"] = count == 1 ? now : since;
            row["Failures"] = count;
            DateTimeOffset? until = count >= Options.MaxFailures ? now + Options.LockFor : null;
            if (until is not null) { row["LockedUntil"] = until; row["Failures"] = 0; row["WindowStart"] = null; }
            if (found.HasValue) await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
            else await Optimistic.InsertAsync(table, row, ct);
            return until;
        }, ct);
        if (locked is not { } lockedUntil) return null;
        await audit.AppendAsync(null, new AuditEvent("security.lockout", AuditOutcome.Denied, purpose == RealNameBinding ? key : null,
            Detail: $"{purpose}: locked until {lockedUntil:O}"), requestId, ct);
        return Locked(lockedUntil, now);
    }

    public async Task ResetAsync(string purpose, string key, CancellationToken ct)
    {
        var table = await tables.GetAsync(TableNames.Lockouts, ct);
        await table.DeleteEntityAsync(purpose, Key(key), Azure.ETag.All, ct);
    }
}
