namespace CivilAffairs.Application.Platform.Crypto;

/// <summary>
/// Loads the master keys from the <see cref="IMasterKeyStore"/> once, on first use, and shares them.
/// Concurrent callers wait for the same load; a failed load is retried by the next caller.
/// </summary>
public sealed class KeyRing(IMasterKeyStore store)
{
    readonly Lock gate = new();
    Task<MasterKeys>? loading;

    /// <summary>The keys, loading them on the first call. Cancelling stops this caller's wait, not the shared load.</summary>
    public Task<MasterKeys> GetAsync(CancellationToken cancellationToken = default)
    {
        Task<MasterKeys> task;
        lock (gate)
        {
            if (loading is null || loading.IsFaulted || loading.IsCanceled)
                loading = Task.Run(() => store.LoadAsync(CancellationToken.None), CancellationToken.None);
            task = loading;
        }
        return task.IsCompletedSuccessfully ? task : task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// The keys, blocking on the first load. For synchronous construction (DI factories); call
    /// <see cref="GetAsync"/> at start-up to load them without blocking.
    /// </summary>
    public MasterKeys Keys => GetAsync().GetAwaiter().GetResult();
}
