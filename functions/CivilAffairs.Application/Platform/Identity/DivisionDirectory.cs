using System.Text.Json;
using CivilAffairs.Application.Platform.Json;
using CivilAffairs.Application.Platform.Results;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.Application.Platform.Identity;

/// <summary>A division as the public sees it.</summary>
public sealed record DivisionView(string Code, string Name, string? Parent, DivisionLevel Level);

/// <summary>The administrative divisions the platform serves (reference data shipped with the app).</summary>
public sealed class DivisionDirectory
{
    readonly IReadOnlyDictionary<string, Division> byCode;

    public DivisionDirectory()
    {
        using var stream = typeof(DivisionDirectory).Assembly.GetManifestResourceStream("CivilAffairs.Identity.divisions.json")
            ?? throw new InvalidOperationException("Division resource missing.");
        var doc = JsonSerializer.Deserialize<DivisionDocument>(stream, JsonDefaults.Options)!;
        All = doc.Divisions;
        byCode = All.ToDictionary(d => d.Code, StringComparer.Ordinal);
        var broken = All.Where(d => !Jurisdiction.IsWellFormed(d.Code) || (d.Parent is { } p && (!byCode.ContainsKey(p) || !Jurisdiction.Contains(p, d.Code)))).ToList();
        if (broken.Count > 0) throw new InvalidOperationException($"Division data inconsistent: {string.Join(", ", broken.Select(b => b.Code))}");
    }

    sealed record DivisionDocument(string Source, IReadOnlyList<Division> Divisions);

    public IReadOnlyList<Division> All { get; }

    public Division? Find(string? code) => code is not null && byCode.TryGetValue(code, out var d) ? d : null;

    public IEnumerable<Division> ChildrenOf(string? parent) => All.Where(d => d.Parent == parent);

    /// <summary>All divisions, or the children of <paramref name="parent"/> (public reference data).</summary>
    public Task<Result<IReadOnlyList<DivisionView>>> ListAsync(CallContext call, string? parent) =>
        Result.Ok<IReadOnlyList<DivisionView>>((parent is null ? All : ChildrenOf(parent))
            .Select(d => new DivisionView(d.Code, d.Name, d.Parent, d.Level)).ToList()).AsTask();

    /// <summary>Full name from the city down, e.g. 广州市天河区石牌街道华师社区居委会.</summary>
    public string FullName(string code)
    {
        var names = new List<string>();
        for (var d = Find(code); d is not null; d = Find(d.Parent)) names.Insert(0, d.Name);
        return string.Concat(names);
    }
}
