using System.Runtime.InteropServices;
using CivilAffairs.WeChatSimulator;

var port = 7072;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port" && i + 1 < args.Length && int.TryParse(args[i + 1], out var p) && p is >= 0 and <= 65535)
    {
        port = p;
        i++;
    }
    else
    {
        Console.Error.WriteLine("usage: CivilAffairs.WeChatSimulator [--port N]   (default 7072; 0 = any free port)");
        return 2;
    }
}

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

await using var host = await WeChatSimulatorHost.StartAsync(new WeChatSimulatorOptions { Port = port });
Console.WriteLine($"WeChat API simulator listening on {host.BaseAddress} (appid {host.AppId}); Ctrl-C to stop");
await stopped.Task;
return 0;
