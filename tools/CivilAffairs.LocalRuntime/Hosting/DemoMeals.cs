using CivilAffairs.Application.Elderly.Meals;
using CivilAffairs.Domain.Disaster;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    /// <summary>The demo meal point of 越秀区北京街道 (the demo elder 李建国's own district).</summary>
    public const string MealPointYuexiu = "demo-yuexiu-beijing";
    /// <summary>The demo meal point of 天河区石牌街道 (outside 李建国's district: city share only).</summary>
    public const string MealPointTianhe = "demo-tianhe-shipai";
    /// <summary>Device ids of their terminals; the dev accounts <c>meal-terminal-yuexiu</c> / <c>meal-terminal-tianhe</c> carry them as channel.</summary>
    public const string MealTerminalYuexiu = "meal-yuexiu-01";
    public const string MealTerminalTianhe = "meal-tianhe-01";

    /// <summary>
    /// Two meal points (长者饭堂) with their terminals registered in the device registry (no secret: the development identity
    /// provider issues their tokens). Real points are registered by staff with <c>POST /api/elderly/meal-points</c>.
    /// </summary>
    static async Task SeedMealPointsAsync(FunctionsRuntime runtime, CancellationToken ct)
    {
        var points = runtime.Services.GetRequiredService<MealPointService>();
        await points.SeedAsync(MealPointYuexiu, "北京街道长者饭堂", new GeoPoint(23.1262, 113.2705), 80, "440104002", MealTerminalYuexiu, ct);
        await points.SeedAsync(MealPointTianhe, "石牌街道长者饭堂", new GeoPoint(23.1368, 113.3426), 60, "440106008", MealTerminalTianhe, ct);
    }
}
