using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.Application.Tests.Platform.Crypto;

public class KeyRingTests
{
    sealed class CountingStore(Func<int, Task<MasterKeys>> load) : IMasterKeyStore
    {
        int calls;
        public int Calls => Volatile.Read(ref calls);
        public Task<MasterKeys> LoadAsync(CancellationToken cancellationToken) => load(Interlocked.Increment(ref calls));
    }

    [Fact]
    public async Task Loads_once_for_concurrent_and_later_callers()
    {
        var keys = TestKeys.Random();
        var release = new TaskCompletionSource();
        var store = new CountingStore(async _ => { await release.Task; return keys; });
        var ring = new KeyRing(store);

        var waiting = Enumerable.Range(0, 20).Select(_ => Task.Run(() => ring.GetAsync())).ToList();
        await Task.Delay(50);
        release.SetResult();
        var results = await Task.WhenAll(waiting);

        Assert.All(results, r => Assert.Same(keys, r));
        Assert.Same(keys, await ring.GetAsync());
        Assert.Same(keys, ring.Keys);
        Assert.Equal(1, store.Calls);
    }

    [Fact]
    public async Task A_failed_load_is_retried_by_the_next_caller()
    {
        var keys = TestKeys.Random();
        var store = new CountingStore(call => call == 1 ? Task.FromException<MasterKeys>(new IOException("vault unavailable")) : Task.FromResult(keys));
        var ring = new KeyRing(store);

        await Assert.ThrowsAsync<IOException>(() => ring.GetAsync());

        Assert.Same(keys, await ring.GetAsync());
        Assert.Equal(2, store.Calls);
    }

    [Fact]
    public async Task A_cancelled_caller_does_not_cancel_the_shared_load()
    {
        var keys = TestKeys.Random();
        var release = new TaskCompletionSource();
        var store = new CountingStore(async _ => { await release.Task; return keys; });
        var ring = new KeyRing(store);
        using var cts = new CancellationTokenSource();

        var cancelled = ring.GetAsync(cts.Token);
        var other = ring.GetAsync();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        release.SetResult();

        Assert.Same(keys, await other);
        Assert.Equal(1, store.Calls);
    }
}
