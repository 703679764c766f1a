using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Application.Platform;
using CivilAffairs.PartnerSimulator;
using CivilAffairs.PartnerSimulator.Registry;
using CivilAffairs.Application.Platform.Configuration;
using CivilAffairs.Application.Platform.Storage;
using CivilAffairs.Functions.Platform;
using CivilAffairs.LocalRuntime.Triggers;
using DurableTask.AzureStorage;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CivilAffairs.LocalRuntime.Hosting;

public sealed class RuntimeOptions
{
    /// <summary>HTTP port; 0 picks a free one.</summary>
    public int Port { get; set; } = 7071;
    /// <summary>Folder for Azurite data and generated keys (kept across runs).</summary>
    public string DataDirectory { get; set; } = Path.Combine(Directory.GetCurrentDirectory(), ".data");
    /// <summary>Azurite ports when the runtime starts it (0: free ports).</summary>
    public int AzuriteBlobPort { get; set; } = 10000;
    public int AzuriteQueuePort { get; set; } = 10001;
    public int AzuriteTablePort { get; set; } = 10002;
    /// <summary>Keep Azurite's data in memory instead of <see cref="DataDirectory"/>.</summary>
    public bool InMemoryStorage { get; set; }
    /// <summary>Extra settings, highest precedence (app settings in Functions terms).</summary>
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);
    public string[] Args { get; set; } = [];
    public string EnvironmentName { get; set; } = Environments.Development;
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
    /// <summary>Changes to the app's services after its own registration (tests: fault injection around a workflow port).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }
}

/// <summary>
/// The one-machine runtime: serves the compiled functions of CivilAffairs.Functions (HTTP,
/// Storage queues, timers, Durable orchestrations and activities) on ASP.NET Core, with a
/// Durable Task gRPC sidecar over the Azure Storage backend, on Azurite or real Azure Storage.
/// </summary>
public sealed class FunctionsRuntime : IAsyncDisposable
{
    readonly WebApplication app;
    readonly WebApplication sidecar;
    readonly Azurite? azurite;
    readonly CivilAffairs.WeChatSimulator.WeChatSimulatorHost? wechat;
    readonly GrpcChannel channel;

    readonly PartnerSimulatorHost? partners;

    FunctionsRuntime(WebApplication app, WebApplication sidecar, Azurite? azurite, CivilAffairs.WeChatSimulator.WeChatSimulatorHost? wechat, PartnerSimulatorHost? partners, GrpcChannel channel, Uri baseAddress, FunctionKeys keys, IReadOnlyList<FunctionDescriptor> functions, string storage)
    {
        this.partners = partners;
        this.app = app; this.sidecar = sidecar; this.azurite = azurite; this.wechat = wechat; this.channel = channel;
        BaseAddress = baseAddress; Keys = keys; Functions = functions; StorageConnectionString = storage;
    }

    public Uri BaseAddress { get; }
    public FunctionKeys Keys { get; }
    public IReadOnlyList<FunctionDescriptor> Functions { get; }
    public string StorageConnectionString { get; }
    public IServiceProvider Services => app.Services;
    /// <summary>The WeChat API simulator the runtime started (Development without a configured WeChat API), if any.</summary>
    public Uri? WeChatSimulator => wechat?.BaseAddress;
    public IReadOnlyList<CivilAffairs.WeChatSimulator.SimulatedUser>? WeChatUsers => wechat?.Users;

    /// <summary>The partner simulator the runtime started (Development with <c>Runtime:PartnerSimulator:Enabled</c>), if any.</summary>
    public PartnerSimulatorHost? PartnerSimulator => partners;

    public static Assembly AppAssembly => Assembly.Load("CivilAffairs.Functions");

    public static async Task<FunctionsRuntime> StartAsync(RuntimeOptions options, CancellationToken ct = default)
    {
        // Refuse to start before touching anything if a function cannot be served.
        var functions = FunctionIndex.Discover(FunctionIndex.AppAssemblies(AppAssembly));

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = options.Args,
            EnvironmentName = options.EnvironmentName,
            ContentRootPath = AppContext.BaseDirectory,
        });
        var config = builder.Configuration;
        config.Sources.Clear();
        config.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        config.AddInMemoryCollection(HostSettings.Flatten(Path.Combine(AppContext.BaseDirectory, "host.json")));
        config.AddEnvironmentVariables();
        config.AddCommandLine(options.Args);
        config.AddInMemoryCollection(options.Settings);
        if (string.IsNullOrWhiteSpace(config["Crypto:LocalKeyFile"]) && string.IsNullOrWhiteSpace(config["KeyVault:Uri"]))
            config.AddInMemoryCollection([new("Crypto:LocalKeyFile", Path.Combine(options.DataDirectory, "master-keys.json"))]);
        if (string.IsNullOrWhiteSpace(config[PartnerRegistration.LocalKeyFileSetting]) && string.IsNullOrWhiteSpace(config["KeyVault:Uri"]))
            config.AddInMemoryCollection([new(PartnerRegistration.LocalKeyFileSetting, Path.Combine(options.DataDirectory, "partner-keys.json"))]);

        Azurite? azurite = null;
        WebApplication? sidecar = null;
        CivilAffairs.WeChatSimulator.WeChatSimulatorHost? wechat = null;
        PartnerSimulatorHost? partners = null;
        var storageConfigured = !string.IsNullOrWhiteSpace(config[SettingNames.StorageConnection])
            || config.GetSection(SettingNames.StorageConnection).GetChildren().Any();
        if (!storageConfigured)
        {
            azurite = await Azurite.StartAsync(options.InMemoryStorage ? null : Path.Combine(options.DataDirectory, "azurite"),
                options.AzuriteBlobPort, options.AzuriteQueuePort, options.AzuriteTablePort, ct);
            config.AddInMemoryCollection([new(SettingNames.StorageConnection, azurite.ConnectionString)]);
        }

        try
        {
            // Development without a configured WeChat API: start the simulator and point the app at it.
            if (options.EnvironmentName == Environments.Development && string.IsNullOrWhiteSpace(config["WeChat:BaseUrl"]))
            {
                wechat = await CivilAffairs.WeChatSimulator.WeChatSimulatorHost.StartAsync(
                    new CivilAffairs.WeChatSimulator.WeChatSimulatorOptions { Port = config.GetValue("Runtime:WeChatSimulatorPort", options.Port == 0 ? 0 : 7072) }, ct);
                config.AddInMemoryCollection([
                    new("WeChat:BaseUrl", wechat.BaseAddress.ToString()),
                    new("WeChat:AppId", wechat.AppId),
                    new("WeChat:AppSecret", wechat.AppSecret),
                ]);
                // The same simulator stands in for the SMS gateway (verification codes for real-name binding).
                if (string.IsNullOrWhiteSpace(config["Sms:BaseUrl"]))
                    config.AddInMemoryCollection([new("Sms:BaseUrl", wechat.BaseAddress.ToString()), new("Sms:ApiKey", wechat.SmsApiKey)]);
            }
            // Development: the partner units' side of verification, answering from synthetic registries.
            if (options.EnvironmentName == Environments.Development && config.GetValue("Runtime:PartnerSimulator:Enabled", false)
                && config[SettingNames.StorageConnection] is { Length: > 0 } simulatorStorage)
                partners = await StartPartnerSimulatorAsync(config, simulatorStorage, options, ct);
            var host = new HostSettings(config);
            var keys = LoadKeys(config, options.DataDirectory);
            var port = options.Port == 0 ? Azurite.FreePort() : options.Port;
            var grpcPort = Azurite.FreePort();
            // Development without a configured SignalR service: serve its client and REST shapes here.
            var signalR = CivilAffairs.LocalRuntime.Realtime.LocalSignalR.Configure(builder, options, port);

            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
            foreach (var noisy in new[] { "Microsoft.AspNetCore", "Microsoft.Hosting", "Grpc", "DurableTask", "Microsoft.DurableTask", "Azure", "System.Net.Http", "Microsoft.Extensions.Http" })
                builder.Logging.AddFilter(noisy, LogLevel.Warning);
            options.ConfigureLogging?.Invoke(builder.Logging);

            builder.WebHost.ConfigureKestrel(k =>
            {
                k.ListenLocalhost(port, l => l.Protocols = HttpProtocols.Http1);
                k.Limits.MaxRequestBodySize = 600L * 1024 * 1024;
            });

            var services = builder.Services;
            services.AddCivilAffairsFunctionApp(config);
            options.ConfigureServices?.Invoke(services);
            DevelopmentIdentityProvider? devIdp = null;
            if (options.EnvironmentName == Environments.Development)
            {
                // Demo sign-in for staff and citizens; never registered outside Development.
                devIdp = new DevelopmentIdentityProvider(options.DataDirectory);
                services.AddSingleton(devIdp);
                services.AddSingleton<CivilAffairs.Application.Platform.Security.ITrustedIssuer>(devIdp);
            }
            services.AddMvcCore();
            // CORS allow-list for the web front-ends (in Azure the function app's CORS setting does this).
            var origins = (config["Runtime:Cors:AllowedOrigins"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Location", "Retry-After")));
            services.AddSingleton(keys);
            services.AddSingleton(host);
            services.AddSingleton(functions);

            // Durable: the Azure Storage orchestration backend behind the Durable Task gRPC sidecar,
            // hosted and listening before the worker and client below connect to it.
            sidecar = await StartSidecarAsync(config, host, grpcPort, options, ct);
            var holder = new ServiceHolder();
            var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            services.AddDurableTaskWorker(b =>
            {
                b.UseGrpc(channel);
                b.AddTasks(registry => Register(registry, functions, holder));
            });
            services.AddDurableTaskClient(b =>
            {
                b.UseGrpc(channel);
                b.RegisterDirectly();
            });

            services.AddHostedService(sp => ActivatorUtilities.CreateInstance<QueueListener>(sp, functions, sp));
            services.AddHostedService(sp => ActivatorUtilities.CreateInstance<TimerListener>(sp, functions, sp));

            var app = builder.Build();
            holder.Services = app.Services;
            app.UseCors();
            HttpTriggerHost.Map(app, functions, host.RoutePrefix);
            devIdp?.Map(app, host.RoutePrefix);
            signalR?.Map(app);
            await app.StartAsync(ct);
            return new FunctionsRuntime(app, sidecar!, azurite, wechat, partners, channel, new Uri($"http://localhost:{port}/"), keys, functions, config[SettingNames.StorageConnection] ?? "(identity-based)");
        }
        catch
        {
            if (partners is not null) await partners.DisposeAsync();
            if (wechat is not null) await wechat.DisposeAsync();
            if (sidecar is not null) await sidecar.DisposeAsync();
            if (azurite is not null) await azurite.DisposeAsync();
            throw;
        }
    }

    static Task<WebApplication> StartSidecarAsync(IConfiguration config, HostSettings host, int grpcPort, RuntimeOptions options, CancellationToken ct)
    {
        var connection = StorageConnection.FromConfiguration(config, SettingNames.StorageConnection);
        return DurableSidecarHost.StartAsync(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = host.TaskHubName,
            StorageAccountClientProvider = connection.ConnectionString is { } cs
                ? new StorageAccountClientProvider(cs)
                : new StorageAccountClientProvider(connection.BlobServiceUri!, connection.QueueServiceUri!, connection.TableServiceUri!, connection.Credential!),
            WorkerId = config["Runtime:HostId"] ?? Environment.MachineName,
            MaxQueuePollingInterval = host.DurableMaxQueuePollingInterval,
            PartitionCount = host.DurablePartitionCount,
            // As the Functions host does (host.json durableTask.maxConcurrent*Functions, default 10 × processors); the
            // backend's own default of 10 activities at once held each household's 60 partner sends in a short line.
            MaxConcurrentTaskActivityWorkItems = host.DurableMaxConcurrentActivities,
            MaxConcurrentTaskOrchestrationWorkItems = host.DurableMaxConcurrentOrchestrations,
            // One machine only (Runtime:Durable, not host.json, so Azure keeps the backend's 2 s): a table call of the
            // partition manager that waits behind a busy Azurite is not a hung call. At 2 s the manager gave up and retried
            // calls that were about to succeed, over and over, while its partitions went unworked.
            PartitionTableOperationTimeout = config.GetValue("Runtime:Durable:PartitionTableOperationTimeout", TimeSpan.FromSeconds(30)),
            // As in host.json (extensions.durableTask.storageProvider): how long a dequeued message stays hidden; after a crash,
            // the work a stopped runtime held reappears after this long (default 5 minutes, as in Azure).
            ControlQueueVisibilityTimeout = config.GetValue("AzureFunctionsJobHost:extensions:durableTask:storageProvider:controlQueueVisibilityTimeout", TimeSpan.FromMinutes(5)),
            WorkItemQueueVisibilityTimeout = config.GetValue("AzureFunctionsJobHost:extensions:durableTask:storageProvider:workItemQueueVisibilityTimeout", TimeSpan.FromMinutes(5)),
        }, grpcPort, options.EnvironmentName, options.ConfigureLogging, ct);
    }

    static void Register(DurableTaskRegistry registry, IReadOnlyList<FunctionDescriptor> functions, ServiceHolder holder)
    {
        // Orchestrator factories get no service provider; the holder is filled once the app is built.
        foreach (var f in functions)
        {
            if (f.Kind == TriggerKind.Orchestration)
                registry.AddOrchestrator(f.Name, () => new FunctionOrchestrator(f, holder.Services!));
            else if (f.Kind == TriggerKind.Activity)
                registry.AddActivity(f.Name, sp => new FunctionActivity(f, sp));
        }
    }

    static FunctionKeys LoadKeys(IConfiguration config, string dataDirectory)
    {
        if (config["Runtime:Keys:Master"] is { Length: > 0 } master && config["Runtime:Keys:Function"] is { Length: > 0 } function)
            return new FunctionKeys(master, function);
        var file = Path.Combine(dataDirectory, "keys.json");
        if (File.Exists(file))
            return JsonSerializer.Deserialize<FunctionKeys>(File.ReadAllText(file))!;
        Directory.CreateDirectory(dataDirectory);
        var keys = new FunctionKeys(NewKey(), NewKey());
        File.WriteAllText(file, JsonSerializer.Serialize(keys));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return keys;
    }

    static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_');

    public Task WaitForShutdownAsync(CancellationToken ct = default) => app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await app.StopAsync(timeout.Token); }
        catch (Exception) { /* stopping anyway */ }
        await app.DisposeAsync();
        channel.Dispose();
        // The sidecar stops after the worker has disconnected, releasing the task hub's leases.
        using var sidecarTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await sidecar.StopAsync(sidecarTimeout.Token); }
        catch (Exception) { /* stopping anyway */ }
        await sidecar.DisposeAsync();
        if (partners is not null) await partners.DisposeAsync();
        if (wechat is not null) await wechat.DisposeAsync();
        if (azurite is not null) await azurite.DisposeAsync();
    }

    /// <summary>Starts the partner simulator on the runtime's storage and partner key file, from <c>Runtime:PartnerSimulator</c>.</summary>
    static Task<PartnerSimulatorHost> StartPartnerSimulatorAsync(IConfiguration config, string storage, RuntimeOptions options, CancellationToken ct)
    {
        var section = config.GetSection("Runtime:PartnerSimulator");
        var simulator = new PartnerSimulatorOptions
        {
            StorageConnectionString = storage,
            KeyFilePath = config[PartnerRegistration.LocalKeyFileSetting]!,
            MinLatency = TimeSpan.FromMilliseconds(section.GetValue("MinLatencyMs", 200)),
            MaxLatency = TimeSpan.FromMilliseconds(section.GetValue("MaxLatencyMs", 1500)),
            FailureRate = section.GetValue("FailureRate", 0d),
            SilenceRate = section.GetValue("SilenceRate", 0d),
            Residents = section.GetValue("Residents", SyntheticRegistry.DefaultResidents),
            Seed = section.GetValue("Seed", SyntheticRegistry.DefaultSeed),
            MaxPollInterval = TimeSpan.FromMilliseconds(section.GetValue("MaxPollIntervalMs", 2000)),
            SilentUnits = (section["SilentUnits"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
            LateEventUnits = (section["LateEventUnits"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
            EventReceiptDelay = TimeSpan.FromMilliseconds(section.GetValue("EventReceiptDelayMs", 500)),
            EventUnits = config.GetSection("Platform:Events:Partners").GetChildren().Select(c => c.Key).ToList() is { Count: > 0 } configured ? configured : null,
        };
        simulator.LoggerFactory = LoggerFactory.Create(l =>
            {
                l.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
                l.AddFilter("Azure", LogLevel.Warning);
                options.ConfigureLogging?.Invoke(l);
            });
        return PartnerSimulatorHost.StartAsync(simulator, ct);
    }
}

sealed class ServiceHolder
{
    public IServiceProvider? Services { get; set; }
}
