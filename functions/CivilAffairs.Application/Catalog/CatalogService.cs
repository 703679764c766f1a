using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Catalog;

namespace CivilAffairs.Application.Catalog;

public sealed record ServiceSummary(string Code, string Name, ServiceArea Area, AcceptanceLevel AcceptedAt,
    int TimeLimitWorkingDays, decimal FeeYuan, IReadOnlyList<ServiceChannel> Channels, int MaterialCount);

public sealed record ServiceList(int Count, IReadOnlyList<ServiceSummary> Items);

/// <summary>The service catalogue (事项清单) as the public reads it: the list with area and keyword filters, and one item.</summary>
public sealed class CatalogService(CatalogRepository catalog)
{
    public const int MaxKeywordLength = 50;

    public static Problem UnknownService(string code) =>
        Problem.NotFound("CATALOG_SERVICE_NOT_FOUND", "服务事项不存在", $"没有编码为“{(code.Length <= 40 ? code : code[..40] + "…")}”的服务事项，请通过 /api/catalog/services 查询。");

    public async Task<Result<ServiceList>> ListAsync(CallContext call, ServiceArea? area, string? keyword)
    {
        var q = keyword?.Trim() ?? "";
        if (q.Length > MaxKeywordLength)
            return Problem.InvalidQuery("q", $"关键词不能超过 {MaxKeywordLength} 个字符。", "关键词过长");
        var items = (await catalog.ListAsync(call.Cancellation))
            .Where(i => area is null || i.Area == area)
            .Where(i => q.Length == 0 || Matches(i, q))
            .OrderBy(i => i.Code, StringComparer.Ordinal)
            .Select(i => new ServiceSummary(i.Code, i.Name, i.Area, i.AcceptedAt, i.TimeLimitWorkingDays, i.FeeYuan, i.Channels, i.Materials.Count))
            .ToList();
        return Result.Ok(new ServiceList(items.Count, items));
    }

    public async Task<Result<ServiceItem>> GetAsync(CallContext call, string code) =>
        await catalog.GetAsync(code, call.Cancellation) is { } item ? Result.Ok(item) : UnknownService(code);

    static bool Matches(ServiceItem item, string q) =>
        item.Name.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Code.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Description.Contains(q, StringComparison.OrdinalIgnoreCase)
        || item.Materials.Any(m => m.Name.Contains(q, StringComparison.OrdinalIgnoreCase));
}
