using Azure;
using Azure.Data.Tables;

namespace CivilAffairs.Application.Platform.Storage;

/// <summary>A read-modify-write kept losing to concurrent writers; the caller is told to try again (409 <c>CONCURRENT_UPDATE</c>).</summary>
public sealed class ConcurrencyConflictException(string what)
    : InvalidOperationException($"Gave up after {Optimistic.MaxAttempts} concurrent-update conflicts on {what}.");

/// <summary>Inside a read-modify-write, the row read as missing was inserted by someone else meanwhile (see <see cref="Optimistic.InsertAsync"/>).</summary>
public sealed class InsertCollisionException(Exception inner) : Exception("A concurrent writer inserted the same row.", inner);

/// <summary>
/// The one optimistic-concurrency loop: run a read-modify-write that writes with the ETag it read, and when Table
/// Storage answers 412 (someone else wrote in between) read and apply again, after a short jittered back-off, at most
/// <see cref="MaxAttempts"/> times. Every aggregate that is changed concurrently goes through here.
/// </summary>
public static class Optimistic
{
    /// <summary>
    /// How many times one change is tried before giving up: enough for the hottest row (a warehouse's stock head while a
    /// surge of dispatches reserves from it), about 2.5 s of back-off in the worst case.
    /// </summary>
    public const int MaxAttempts = 30;

    static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(2);
    static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A write with a stale ETag (412), or an entity-group transaction that a concurrent writer got in before: an insert
    /// that collided (409: both read the same state and chose the same new key) or a row it deleted meanwhile (404). A
    /// single insert's 409 or a single read's 404 is not a conflict but an answer and is left to the caller.
    /// </summary>
    public static bool IsConflict(Exception e) =>
        e is RequestFailedException { Status: 412 } or TableTransactionFailedException { Status: 404 or 409 } or InsertCollisionException;

    /// <summary>
    /// The insert of a read-modify-write that read the row as missing: when a concurrent writer inserted it first, the change
    /// is read and applied again like after a 412 (a plain insert's 409 stays an answer for its caller).
    /// </summary>
    public static async Task InsertAsync(TableClient table, ITableEntity entity, CancellationToken ct)
    {
        try { await table.AddEntityAsync(entity, ct); }
        catch (RequestFailedException e) when (e.Status == 409) { throw new InsertCollisionException(e); }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it completes without a 412. <paramref name="what"/> names the object in the
    /// exception thrown when every attempt conflicted.
    /// </summary>
    public static async Task<T> RetryAsync<T>(string what, Func<Task<T>> attempt, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception e) when (IsConflict(e))
            {
                if (n >= MaxAttempts) throw new ConcurrencyConflictException(what);
                await Task.Delay(Backoff(n), ct);
            }
        }
    }

    public static Task RetryAsync(string what, Func<Task> attempt, CancellationToken ct) =>
        RetryAsync(what, async () => { await attempt(); return true; }, ct);

    /// <summary>Full jitter: a random delay up to an exponentially growing cap (4 ms, 8 ms, … 200 ms).</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 16)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
    }
}
