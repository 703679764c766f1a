using CivilAffairs.Application.Disaster.Uploads;

namespace CivilAffairs.Application.Tests.Disaster.Uploads;

public class BlockMathTests
{
    const int MiB = 1024 * 1024;

    [Theory]
    [InlineData(1L, 1)]
    [InlineData(4L * MiB, 1)]
    [InlineData(4L * MiB + 1, 2)]
    [InlineData(500L * MiB, 125)]
    public void A_file_splits_into_whole_blocks_plus_a_shorter_last_one(long size, int blocks)
    {
        Assert.Equal(blocks, BlockMath.BlockCount(size, BlockMath.DefaultBlockSize));
        var total = Enumerable.Range(0, blocks).Sum(i => (long)BlockMath.LengthOf(i, size, BlockMath.DefaultBlockSize));
        Assert.Equal(size, total);
        Assert.All(Enumerable.Range(0, blocks - 1), i => Assert.Equal(BlockMath.DefaultBlockSize, BlockMath.LengthOf(i, size, BlockMath.DefaultBlockSize)));
    }

    [Fact]
    public void Indices_outside_the_file_are_out_of_range()
    {
        Assert.False(BlockMath.InRange(-1, 10 * MiB, 4 * MiB));
        Assert.True(BlockMath.InRange(2, 10 * MiB, 4 * MiB));
        Assert.False(BlockMath.InRange(3, 10 * MiB, 4 * MiB));
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockMath.LengthOf(3, 10 * MiB, 4 * MiB));
        Assert.Equal(2 * MiB, BlockMath.LengthOf(2, 10 * MiB, 4 * MiB));
    }

    [Fact]
    public void Block_ids_are_deterministic_equal_length_and_reversible()
    {
        Assert.Equal(BlockMath.BlockId(7), BlockMath.BlockId(7));
        Assert.Equal(BlockMath.BlockId(0).Length, BlockMath.BlockId(49_999).Length);
        Assert.Equal("MDAwMDA3", BlockMath.BlockId(7)); // base64("000007")
        Assert.Equal(49_999, BlockMath.IndexOf(BlockMath.BlockId(49_999)));
        Assert.Null(BlockMath.IndexOf("not base64!"));
        Assert.Null(BlockMath.IndexOf(Convert.ToBase64String("abc"u8.ToArray())));
    }

    [Fact]
    public void Progress_counts_only_known_blocks_of_the_right_length()
    {
        const long size = 10 * MiB;
        var staged = new[]
        {
            (BlockMath.BlockId(0), (long)4 * MiB),
            (BlockMath.BlockId(2), (long)2 * MiB),
            (BlockMath.BlockId(1), (long)MiB), // wrong length: does not count
            ("Zm9v", (long)4 * MiB),          // someone else's id
            (BlockMath.BlockId(9), (long)4 * MiB), // beyond the file
        };
        var (received, missing) = BlockMath.Progress(size, 4 * MiB, staged);
        Assert.Equal([0, 2], received);
        Assert.Equal([1], missing);
    }

    [Fact]
    public void Missing_blocks_read_as_ranges()
    {
        Assert.Equal("0–3、7、9–10", BlockMath.Ranges([0, 1, 2, 3, 7, 9, 10]));
        Assert.Equal("", BlockMath.Ranges([]));
    }
}
