using System.Globalization;
using System.Runtime.InteropServices;
using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.PartnerSimulator;
using Microsoft.Extensions.Logging;

const string Usage = """
    usage: CivilAffairs.PartnerSimulator [--storage <connection string>] [--keys <path>] [--seed N] [--residents N]
                                         [--silent unit1,unit2] [--units unit1,unit2] [--failure-rate 0..1]
                                         [--silence-rate 0..1] [--latency-ms MIN,MAX] [--verbose]
      --storage   queue storage connection string (default: environment variable AzureWebJobsStorage)
      --keys      partner key file shared with the function app (default: .data/partner-keys.json)
      --seed      seed of the synthetic population (default 20250701)
      --silent    units that never answer (e.g. housing-fund)
    Runs until Ctrl-C.
    """;

var options = new PartnerSimulatorOptions { StorageConnectionString = Environment.GetEnvironmentVariable("AzureWebJobsStorage") ?? "" };
var verbose = false;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
        static IReadOnlyList<string> List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        switch (args[i])
        {
            case "--storage": options.StorageConnectionString = Value(); break;
            case "--keys": options.KeyFilePath = Value(); break;
            case "--seed": options.Seed = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--residents": options.Residents = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--silent": options.SilentUnits = List(Value()).ToHashSet(StringComparer.Ordinal); break;
            case "--units": options.Units = List(Value()); break;
            case "--failure-rate": options.FailureRate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--silence-rate": options.SilenceRate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--latency-ms":
                var range = List(Value()).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
                if (range.Count != 2) throw new FormatException("--latency-ms needs MIN,MAX");
                options.MinLatency = TimeSpan.FromMilliseconds(range[0]);
                options.MaxLatency = TimeSpan.FromMilliseconds(range[1]);
                break;
            case "--verbose": verbose = true; break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new FormatException($"unknown argument {args[i]}");
        }
    }
    if (string.IsNullOrWhiteSpace(options.StorageConnectionString)) throw new FormatException("no storage: pass --storage or set AzureWebJobsStorage");
}
catch (FormatException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(Usage);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(builder => builder
    .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
    .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Information));
options.LoggerFactory = loggerFactory;

var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopped.TrySetResult();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stopped.TrySetResult();
});

PartnerSimulatorHost host;
try
{
    host = await PartnerSimulatorHost.StartAsync(options, CancellationToken.None);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
await using (host)
{
    Console.WriteLine($"Partner simulator: {host.Units.Count} units polling partner-<code>-requests, replying to {PartnerQueues.Replies}; key file {Path.GetFullPath(options.KeyFilePath)}; Ctrl-C to stop");
    foreach (var household in PartnerSimulatorHost.DemoHouseholds)
        Console.WriteLine($"  demo household {household.Key}: {household.Title} ({household.Members.Count} members)");
    var last = host.Stats;
    while (!stopped.Task.IsCompleted)
    {
        await Task.WhenAny(stopped.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        var now = host.Stats;
        if (now != last) Console.WriteLine($"  {now}");
        last = now;
    }
}
return 0;
