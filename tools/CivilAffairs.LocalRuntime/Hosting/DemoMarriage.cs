using CivilAffairs.Application.Marriage.Offices;
using Microsoft.Extensions.DependencyInjection;

namespace CivilAffairs.LocalRuntime.Hosting;

public static partial class DemoData
{
    public const string MarriageOfficeTianhe = "gz-tianhe";
    public const string MarriageOfficeYuexiu = "gz-yuexiu";
    public const string MarriageOfficeHaizhu = "gz-haizhu";

    /// <summary>The demo registry offices of 天河, 越秀 and 海珠 (fixed ids, one registrar account each). A second run replaces them unchanged.</summary>
    static async Task SeedMarriageOfficesAsync(FunctionsRuntime runtime, CancellationToken ct)
    {
        var offices = runtime.Services.GetRequiredService<OfficeService>();
        var standard = new SessionBody[] { new("09:00", "12:00"), new("13:30", "17:00") };
        foreach (var (id, request) in new (string, OfficeRequest)[]
        {
            (MarriageOfficeTianhe, new("天河区婚姻登记处", "440106", "广州市天河区华就路 22 号", standard, 30, 6, [])),
            (MarriageOfficeYuexiu, new("越秀区婚姻登记处", "440104", "广州市越秀区东风中路 318 号", standard, 30, 6, [])),
            (MarriageOfficeHaizhu, new("海珠区婚姻登记处", "440105", "广州市海珠区江南大道中 180 号", standard, 30, 4, [])),
        })
        {
            var result = await offices.ImportAsync(id, request, ct);
            if (result.Problem is { } problem) throw new InvalidOperationException($"Demo marriage office {id} not stored: {problem.Code} {problem.Detail}");
        }
    }
}
