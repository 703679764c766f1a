using System.Buffers.Binary;
using System.Text;
using CivilAffairs.Application.Platform.Crypto;

namespace CivilAffairs.PartnerSimulator.Registry;

/// <summary>
/// A small deterministic pseudo-random generator (SplitMix64) seeded from the SM3 hash of its inputs, so
/// simulated data is the same on every machine and .NET version (unlike <see cref="Random"/> with a seed).
/// Not for security.
/// </summary>
public sealed class DeterministicRandom
{
    ulong state;

    public DeterministicRandom(ulong seed) => state = seed;

    /// <summary>A generator seeded from <paramref name="parts"/> (joined with line feeds and hashed with SM3).</summary>
    public static DeterministicRandom For(params object[] parts)
    {
        var text = string.Join("\n", parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        return new DeterministicRandom(BinaryPrimitives.ReadUInt64BigEndian(Sm3.Hash(Encoding.UTF8.GetBytes(text))));
    }

    public ulong NextUInt64()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxExclusive, 1);
        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>A whole-yuan amount uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public decimal Yuan(decimal min, decimal max) => Math.Round(min + (max - min) * (decimal)NextDouble(), 0);

    /// <summary>An amount with fen (two places) uniform in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public decimal YuanFen(decimal min, decimal max) => Math.Round(min + (max - min) * (decimal)NextDouble(), 2);

    /// <summary>An item of <paramref name="items"/> drawn with the given weights.</summary>
    public T Pick<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = items.Sum(i => i.Weight);
        var x = NextDouble() * total;
        foreach (var (item, weight) in items)
        {
            if (x < weight) return item;
            x -= weight;
        }
        return items[^1].Item;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}
