using CivilAffairs.Application.Assistance.Partners;
using CivilAffairs.Domain.Platform;

namespace CivilAffairs.PartnerSimulator.Registry;

/// <summary>Economic situation a synthetic person is drawn from.</summary>
public enum EconomicTier
{
    /// <summary>No or almost no income, tiny savings.</summary>
    Destitute,
    /// <summary>Small pensions or part-time work, small savings.</summary>
    Poor,
    /// <summary>Minimum-wage work or modest pensions.</summary>
    LowIncome,
    Middle,
    Affluent,
}

/// <summary>What one unit would answer about one person.</summary>
public sealed record UnitAnswer(ReplyStatus Status, IReadOnlyDictionary<string, decimal> Figures, IReadOnlyDictionary<string, string> Facts);

/// <summary>
/// The simulated partner records of one person: per unit, the figures and facts that unit holds
/// (banks hold their share of the deposits, insurers their policies, and so on). Synthetic data;
/// <see cref="ToString"/> masks the ID number anyway.
/// </summary>
public sealed class RegistryPerson
{
    static readonly IReadOnlyDictionary<string, decimal> NoFigures = new Dictionary<string, decimal>();
    static readonly IReadOnlyDictionary<string, string> NoFacts = new Dictionary<string, string>();

    internal RegistryPerson(string idNumber, EconomicTier tier, bool isDemo,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>> unitFigures,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> unitFacts,
        IReadOnlySet<string> silentUnits)
    {
        IdNumber = idNumber;
        Tier = tier;
        IsDemo = isDemo;
        UnitFigures = unitFigures;
        UnitFacts = unitFacts;
        SilentUnits = silentUnits;
        var totals = new SortedDictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var figures in unitFigures.Values)
            foreach (var (category, amount) in figures)
                totals[category] = totals.GetValueOrDefault(category) + amount;
        Figures = totals;
    }

    /// <summary>The normalized ID number.</summary>
    public string IdNumber { get; }

    public EconomicTier Tier { get; }

    /// <summary>True for members of <see cref="DemoHouseholds"/> (fixed figures, independent of the seed).</summary>
    public bool IsDemo { get; }

    /// <summary>Unit code → category code → amount held by that unit (zero where the unit knows the person but has nothing).</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, decimal>> UnitFigures { get; }

    /// <summary>Unit code → category code → fact.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> UnitFacts { get; }

    /// <summary>Units that never answer about this person (used by a demo household to show a unit that stays silent).</summary>
    public IReadOnlySet<string> SilentUnits { get; }

    /// <summary>Category code → the person's total over all units (e.g. deposits across every bank).</summary>
    public IReadOnlyDictionary<string, decimal> Figures { get; }

    public decimal Total(string category) => Figures.GetValueOrDefault(category);

    /// <summary>
    /// What <paramref name="unit"/> answers: the figures and facts it holds in the categories it supplies and that
    /// were asked (<paramref name="categories"/> null or empty = all it supplies); <see cref="ReplyStatus.NotFound"/>
    /// when it holds nothing.
    /// </summary>
    public UnitAnswer AnswerFor(PartnerUnit unit, IReadOnlyCollection<string>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        bool Asked(string category) => unit.Supplies(category) && (categories is null || categories.Count == 0 || categories.Contains(category));
        var figures = UnitFigures.GetValueOrDefault(unit.Code, NoFigures)
            .Where(f => Asked(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        var facts = UnitFacts.GetValueOrDefault(unit.Code, NoFacts)
            .Where(f => Asked(f.Key)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        return new UnitAnswer(figures.Count + facts.Count > 0 ? ReplyStatus.Found : ReplyStatus.NotFound, figures, facts);
    }

    public override string ToString() => $"RegistryPerson {{ IdNumber = {Masking.MaskIdNumber(IdNumber)}, Tier = {Tier}, IsDemo = {IsDemo} }}";
}

/// <summary>Collects a person's per-unit records.</summary>
internal sealed class ProfileBuilder(string idNumber, EconomicTier tier, bool isDemo = false)
{
    readonly Dictionary<string, Dictionary<string, decimal>> figures = new(StringComparer.Ordinal);
    readonly Dictionary<string, Dictionary<string, string>> facts = new(StringComparer.Ordinal);
    readonly HashSet<string> silent = new(StringComparer.Ordinal);

    /// <summary>Adds to the amount <paramref name="unit"/> holds in <paramref name="category"/> (zero records that the unit knows the person).</summary>
    public ProfileBuilder Figure(string unit, string category, decimal amount)
    {
        if (!figures.TryGetValue(unit, out var map)) figures[unit] = map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        map[category] = map.GetValueOrDefault(category) + amount;
        return this;
    }

    /// <summary>Adds only when the amount is not zero.</summary>
    public ProfileBuilder FigureIfAny(string unit, string category, decimal amount) => amount == 0 ? this : Figure(unit, category, amount);

    public ProfileBuilder Fact(string unit, string category, string text)
    {
        if (!facts.TryGetValue(unit, out var map)) facts[unit] = map = new Dictionary<string, string>(StringComparer.Ordinal);
        map[category] = text;
        return this;
    }

    public ProfileBuilder Silent(params string[] units)
    {
        silent.UnionWith(units);
        return this;
    }

    /// <summary>Spreads <paramref name="amount"/> (in fen) over <paramref name="units"/> with random weights; the parts add up exactly.</summary>
    public ProfileBuilder Spread(IReadOnlyList<string> units, string category, decimal amount, DeterministicRandom rng)
    {
        if (amount == 0 || units.Count == 0) return this;
        var weights = units.Select(_ => 0.2 + rng.NextDouble()).ToList();
        var total = weights.Sum();
        var fen = (long)Math.Round(amount * 100m);
        long given = 0;
        for (var i = 0; i < units.Count; i++)
        {
            var share = i == units.Count - 1 ? fen - given : (long)Math.Floor(fen * weights[i] / total);
            given += share;
            Figure(units[i], category, share / 100m);
        }
        return this;
    }

    public RegistryPerson Build() => new(idNumber, tier, isDemo,
        figures.ToDictionary(f => f.Key, f => (IReadOnlyDictionary<string, decimal>)f.Value, StringComparer.Ordinal),
        facts.ToDictionary(f => f.Key, f => (IReadOnlyDictionary<string, string>)f.Value, StringComparer.Ordinal),
        silent);
}
