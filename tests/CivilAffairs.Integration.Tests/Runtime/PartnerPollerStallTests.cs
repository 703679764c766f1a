using System.Net;
using System.Net.Sockets;
using Azure.Storage.Queues;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using CivilAffairs.PartnerSimulator;

namespace CivilAffairs.Integration.Tests.Runtime;

/// <summary>
/// The cause of the one-machine stall (issue 12): a receive that outlived its own timeout while Azurite was busy ended
/// the partner unit's poller, and the unit never read its queue again. Here Azurite's queue endpoint is held up behind a
/// proxy for several receive timeouts; once it answers again, the unit must still take new requests.
/// </summary>
public sealed class PartnerPollerStallTests
{
    [Fact]
    public async Task A_unit_keeps_polling_after_receives_time_out_while_storage_is_stalled()
    {
        await using var azurite = await Azurite.StartAsync(location: null, 0, 0, 0);
        await using var proxy = StallingProxy.Start(azurite.QueuePort);
        var data = Path.Combine(Path.GetTempPath(), "ca-stall-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        try
        {
            var unit = PartnerCatalogue.Load().Units[0].Code;
            var viaProxy = azurite.ConnectionString.Replace($":{azurite.QueuePort}/", $":{proxy.Port}/", StringComparison.Ordinal);
            await using var simulator = await PartnerSimulatorHost.StartAsync(new PartnerSimulatorOptions
            {
                StorageConnectionString = viaProxy,
                KeyFilePath = Path.Combine(data, "partner-keys.json"),
                Units = [unit],
                MaxPollInterval = TimeSpan.FromMilliseconds(200),
                ReceiveTimeout = TimeSpan.FromMilliseconds(500),
            });

            proxy.Stall();
            await Http.EventuallyAsync(() => Task.FromResult(simulator.Stats.PollFailures >= 3 ? (object)true : null), TimeSpan.FromSeconds(60),
                "three receives timing out against the stalled queue endpoint");
            proxy.Resume();

            // A message that is not a request: a live poller receives it, counts it as malformed and deletes it.
            var queue = new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 })
                .GetQueueClient(PartnerQueues.RequestQueue(unit));
            await queue.SendMessageAsync("not a request");
            await Http.EventuallyAsync(() => Task.FromResult(simulator.Stats.Malformed == 1 ? (object)true : null), TimeSpan.FromSeconds(60),
                "the unit to take the message sent after the stall");
            // The unit counts the message before it deletes it: wait for the delete.
            await Http.EventuallyAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0 ? (object)true : null,
                TimeSpan.FromSeconds(30), "the malformed message to be deleted");
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// A TCP proxy that, while stalled, holds every byte a client sends (the server never sees the request). On resume the
    /// connections holding bytes are dropped: their clients gave up long ago, and a stale receive let through would still
    /// dequeue (and hide) messages on the server.
    /// </summary>
    sealed class StallingProxy : IAsyncDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource stop = new();
        readonly int target;
        volatile TaskCompletionSource open = Opened();
        volatile CancellationTokenSource held = new();

        StallingProxy(int target) => this.target = target;

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        static TaskCompletionSource Opened()
        {
            var t = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            t.SetResult();
            return t;
        }

        public static StallingProxy Start(int target)
        {
            var proxy = new StallingProxy(target);
            proxy.listener.Start();
            _ = proxy.AcceptAsync();
            return proxy;
        }

        public void Stall()
        {
            held = new CancellationTokenSource();
            open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public void Resume()
        {
            held.Cancel();
            open.TrySetResult();
        }

        async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await listener.AcceptTcpClientAsync(stop.Token); }
                catch (Exception) { return; }
                _ = PipeAsync(client);
            }
        }

        async Task PipeAsync(TcpClient client)
        {
            using var _ = client;
            using var server = new TcpClient();
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, target, stop.Token);
                using var either = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                await Task.WhenAny(CopyAsync(client.GetStream(), server.GetStream(), gated: true, either.Token),
                    CopyAsync(server.GetStream(), client.GetStream(), gated: false, either.Token));
                await either.CancelAsync();
            }
            catch (Exception) { /* a side closed */ }
        }

        async Task CopyAsync(Stream from, Stream to, bool gated, CancellationToken ct)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    var n = await from.ReadAsync(buffer, ct);
                    if (n == 0) return;
                    if (gated && !open.Task.IsCompleted)
                    {
                        using var dropOnResume = CancellationTokenSource.CreateLinkedTokenSource(ct, held.Token);
                        await open.Task.WaitAsync(dropOnResume.Token);
                    }
                    await to.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            catch (Exception) { /* closed or stopped */ }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            open.TrySetResult();
            stop.Dispose();
        }
    }
}
