using Azure.Data.Tables;
using CivilAffairs.Application.Disaster.Dispatching;
using CivilAffairs.Domain.Disaster;
using CivilAffairs.Integration.Tests.Platform;
using CivilAffairs.LocalRuntime.Hosting;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.Integration.Tests.Disaster;

/// <summary>The dispatch workflow port with a fault: the first raises of each step fail, as a lost connection to the task hub would.</summary>
public sealed class FailingDispatchWorkflow(IDispatchWorkflow inner) : IDispatchWorkflow
{
    /// <summary>How many raises of each step fail before one goes through.</summary>
    public const int FailuresPerStep = 2;

    readonly Dictionary<string, int> failures = [];
    public int Failed { get { lock (failures) return failures.Values.Sum(); } }

    void MaybeFail(string step, string dispatchId)
    {
        lock (failures)
        {
            var key = step + "|" + dispatchId;
            var n = failures.GetValueOrDefault(key);
            if (n >= FailuresPerStep) return;
            failures[key] = n + 1;
        }
        throw new HttpRequestException($"Injected failure raising {step} for {dispatchId}.");
    }

    public Task StartAsync(DispatchInput input, CancellationToken ct) => inner.StartAsync(input, ct);

    public Task PickedUpAsync(string dispatchId, DispatchNotice notice, CancellationToken ct)
    {
        MaybeFail("pickup", dispatchId);
        return inner.PickedUpAsync(dispatchId, notice, ct);
    }

    public Task DeliveredAsync(string dispatchId, DispatchNotice notice, CancellationToken ct)
    {
        MaybeFail("delivered", dispatchId);
        return inner.DeliveredAsync(dispatchId, notice, ct);
    }

    public Task CancelledAsync(string dispatchId, DispatchNotice notice, CancellationToken ct) => inner.CancelledAsync(dispatchId, notice, ct);
}

/// <summary>A dispatch runtime whose workflow raises fail at first; the outbox's relay job runs 2 s after a change.</summary>
public sealed class FailingRaiseFixture : DispatchFixture
{
    protected override void Configure(RuntimeOptions options)
    {
        options.Settings["Platform:Outbox:RelayDelay"] = "00:00:02";
        options.ConfigureServices = services =>
        {
            services.AddSingleton<Orchestrations.Disaster.DispatchWorkflow>();
            services.AddSingleton(sp => new FailingDispatchWorkflow(sp.GetRequiredService<Orchestrations.Disaster.DispatchWorkflow>()));
            services.AddSingleton<IDispatchWorkflow>(sp => sp.GetRequiredService<FailingDispatchWorkflow>());
        };
    }

    public FailingDispatchWorkflow Faults => Runtime.Services.GetRequiredService<FailingDispatchWorkflow>();
}

/// <summary>
/// One owner per state change: a person's step is stored together with its event, so when raising the event into the
/// workflow fails, the step is still answered, and the event is delivered later by the outbox's relay job — the dispatch
/// never stays "picked up" with its stock un-issued, and a delivery always closes the need.
/// </summary>
public class OutboxConvergenceTests(FailingRaiseFixture fx) : IClassFixture<FailingRaiseFixture>
{
    [Fact]
    public async Task A_pickup_whose_raise_fails_still_issues_the_stock_and_the_delivery_still_closes_the_need()
    {
        var origin = new GeoPoint(31.0, 113.3);
        var warehouse = await fx.WarehouseAsync("outbox-w1", origin, 1, ("TENT", "T-OB-1", null, 20));
        var incident = await fx.IncidentAsync(origin, ResponseLevel.III);
        var need = await fx.ReportAsync(incident, origin, "TENT", 8);
        var id = need.GetProperty("dispatchId").GetString()!;
        await fx.WaitForStatusAsync(id, "teamAssigned");

        var picked = await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/pickup");
        Assert.Equal(200, (int)picked.StatusCode);
        Assert.Equal("pickedUp", (await picked.JsonAsync()).GetProperty("status").GetString());
        Assert.True(fx.Faults.Failed >= 1, "the inline raise should have failed");

        // Right after the answer the event waits in the dispatch's partition; the workflow has not been told yet.
        var rows = new TableServiceClient(fx.Azurite.ConnectionString).GetTableClient("DisasterDispatches");
        Assert.Contains(rows.Query<TableEntity>(e => e.PartitionKey == id), e => e.RowKey.StartsWith("outbox|", StringComparison.Ordinal));

        // The relay job delivers it (after the second injected failure): the stock is issued and the workflow waits for delivery.
        await Http.EventuallyAsync(async () =>
        {
            var stock = await fx.StockAsync(warehouse);
            return stock.GetProperty("movements").EnumerateArray().Any(m => m.GetProperty("kind").GetString() == "issue" && m.GetProperty("reference").GetString() == id)
                ? "issued" : null;
        }, TimeSpan.FromSeconds(60), "the stock to be issued");
        await Http.EventuallyAsync(async () =>
            (await fx.Durable.GetInstanceAsync("dispatch-" + id, getInputsAndOutputs: true))?.SerializedCustomStatus?.Contains("awaitingDelivery") == true ? "ok" : null,
            TimeSpan.FromSeconds(30), "the workflow to wait for the delivery");
        Assert.DoesNotContain(rows.Query<TableEntity>(e => e.PartitionKey == id), e => e.RowKey.StartsWith("outbox|", StringComparison.Ordinal));
        Assert.Equal(FailingDispatchWorkflow.FailuresPerStep, fx.Faults.Failed);

        // Delivery: its raise fails too, and still the orchestration completes and the need is fulfilled.
        var delivered = await fx.As(DispatchFixture.Member, HttpMethod.Post, $"api/disaster/dispatches/{id}/deliver", new { recipientCode = "QS-0001", photoUploadId = "photo-ob" });
        Assert.Equal(200, (int)delivered.StatusCode);
        Assert.Equal("delivered", await fx.OutcomeAsync(id, seconds: 60));
        Assert.Equal("fulfilled", (await fx.NeedAsync(need.GetProperty("id").GetString()!)).GetProperty("status").GetString());
        Assert.Equal(2 * FailingDispatchWorkflow.FailuresPerStep, fx.Faults.Failed);
        var stock = await fx.StockAsync(warehouse);
        Assert.Equal(1, stock.GetProperty("movements").EnumerateArray().Count(m => m.GetProperty("kind").GetString() == "issue" && m.GetProperty("reference").GetString() == id));
        Assert.True(stock.GetProperty("replay").GetProperty("matches").GetBoolean());
    }
}
