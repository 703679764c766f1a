using CivilAffairs.Application.Platform.Devices;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>
    /// Registers the development identity provider's demo device (<c>device-drone-01</c>, channel <c>drone-01</c>) in the
    /// device registry, so its dev tokens pass the registration check of the upload endpoints. It has no secret: real
    /// devices are registered by staff (<c>POST /api/disaster/devices</c>) and exchange their secret for a token.
    /// </summary>
    static Task SeedDevicesAsync(FunctionsRuntime runtime, CancellationToken ct) =>
        runtime.Services.GetRequiredService<DeviceService>().SeedAsync("drone-01", "救灾无人机 01（演示）", DeviceKind.Drone, "440106", ct);
}
