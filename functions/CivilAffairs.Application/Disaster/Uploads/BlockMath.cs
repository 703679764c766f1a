using System.Globalization;
using System.Text;

namespace CivilAffairs.Application.Disaster.Uploads;

/// <summary>
/// Pure arithmetic of a resumable upload: how a file of a given size splits into blocks, how long each block must be,
/// and the deterministic block id of each index (the same index always stages the same block, so a resent block simply
/// replaces the earlier copy).
/// </summary>
public static class BlockMath
{
    public const int DefaultBlockSize = 4 * 1024 * 1024;
    public const int MinBlockSize = 256 * 1024;
    public const int MaxBlockSize = 16 * 1024 * 1024;
    /// <summary>Azure block blobs hold at most 50 000 blocks.</summary>
    public const int MaxBlocks = 50_000;

    public static int BlockCount(long size, int blockSize)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size));
        if (blockSize <= 0) throw new ArgumentOutOfRangeException(nameof(blockSize));
        return checked((int)((size + blockSize - 1) / blockSize));
    }

    /// <summary>The exact length of block <paramref name="index"/>: <paramref name="blockSize"/>, except the last, which holds the rest.</summary>
    public static int LengthOf(int index, long size, int blockSize)
    {
        var count = BlockCount(size, blockSize);
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index));
        return index < count - 1 ? blockSize : (int)(size - (long)blockSize * (count - 1));
    }

    public static bool InRange(int index, long size, int blockSize) => index >= 0 && index < BlockCount(size, blockSize);

    /// <summary>Base64 of the zero-padded index (every id of a blob has the same length, as Azure requires).</summary>
    public static string BlockId(int index) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(index.ToString("D6", CultureInfo.InvariantCulture)));

    /// <summary>The index of a block id made by <see cref="BlockId"/>; null for any other id.</summary>
    public static int? IndexOf(string blockId)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(blockId));
            return text.Length == 6 && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Which of the file's blocks are present among the staged (or committed) blocks, given as id and size; a block of
    /// the wrong size or an unknown id does not count.
    /// </summary>
    public static (IReadOnlyList<int> Received, IReadOnlyList<int> Missing) Progress(long size, int blockSize, IEnumerable<(string Id, long Size)> staged)
    {
        var count = BlockCount(size, blockSize);
        var have = new bool[count];
        foreach (var (id, length) in staged)
            if (IndexOf(id) is { } i && i < count && length == LengthOf(i, size, blockSize)) have[i] = true;
        var received = new List<int>();
        var missing = new List<int>();
        for (var i = 0; i < count; i++) (have[i] ? received : missing).Add(i);
        return (received, missing);
    }

    /// <summary>Compact text of a list of indices for people: "0–3、7、9–11".</summary>
    public static string Ranges(IReadOnlyList<int> indices)
    {
        var parts = new List<string>();
        for (var i = 0; i < indices.Count; i++)
        {
            var start = indices[i];
            while (i + 1 < indices.Count && indices[i + 1] == indices[i] + 1) i++;
            parts.Add(start == indices[i] ? start.ToString(CultureInfo.InvariantCulture) : $"{start}–{indices[i]}");
        }
        return string.Join("、", parts);
    }
}
