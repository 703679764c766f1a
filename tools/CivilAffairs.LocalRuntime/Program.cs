using CivilAffairs.LocalRuntime.Hosting;

// The one-machine runtime. Usage:
//   dotnet CivilAffairs.LocalRuntime.dll [--port 7071] [--data .data] [--demo] [--AzureWebJobsStorage "<connection string>"]
// Without a storage connection it starts the embedded Azurite on 10000-10002 with data in <data>/azurite.
var options = new RuntimeOptions { Args = args };
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--port") options.Port = int.Parse(args[i + 1]);
    if (args[i] == "--data") options.DataDirectory = Path.GetFullPath(args[i + 1]);
}

await using var runtime = await FunctionsRuntime.StartAsync(options);
var api = new Uri(runtime.BaseAddress, "api/");
Console.WriteLine($"""

    智慧民政 Smart Civil Affairs — one-machine runtime
      API            {api}
      Catalogue      {api}catalog/services
      OpenAPI        {api}openapi.json
      Health         {api}health
      Storage        {(runtime.StorageConnectionString.Contains("127.0.0.1") ? "embedded Azurite (" + options.DataDirectory + ")" : "configured connection")}
      Functions      {runtime.Functions.Count} ({string.Join(", ", runtime.Functions.GroupBy(f => f.Kind).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"))})
      Keys           master and function keys in {Path.Combine(options.DataDirectory, "keys.json")}
      Sign-in        {api}dev/accounts, POST {api}dev/token (demo accounts, Development only)
      WeChat sim.    {runtime.WeChatSimulator?.ToString() ?? "(not started: WeChat__BaseUrl configured)"}
    Press Ctrl-C to stop.

    """);
CivilAffairs.TerminalSimulator.TerminalSimulatorHost? terminalSimulator = null;
if (args.Contains("--demo"))
{
    try
    {
        await DemoData.SeedAsync(runtime, Console.Out);
        await DemoData.SeedDisasterAsync(runtime, Console.Out);
        await DemoData.SeedInstitutionsAsync(runtime, Console.Out);
        _ = await DemoData.SeedAssistanceAsync(runtime, Console.Out); // decisions continue in the background
        terminalSimulator = await DemoData.StartTerminalSimulatorAsync(runtime, Console.Out);
    }
    catch (Exception e) { Console.Error.WriteLine($"Demo data could not be added: {e.Message}"); }
}
await runtime.WaitForShutdownAsync();
if (terminalSimulator is not null) await terminalSimulator.DisposeAsync();
