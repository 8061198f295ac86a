using System.Runtime.InteropServices;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>
/// One training rating as the SGD grid stores it (user and movie as slots, see <see cref="SgdGrid"/>): 8 bytes, so the
/// full Prize (99 M ratings) packs into 0.8 GB.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct SgdEntry(int user, ushort movie, byte rating)
{
    public readonly int User = user;
    public readonly ushort Movie = movie;
    public readonly byte Rating = rating;
}

/// <summary>
/// The training ratings partitioned as in LIBMF's FPSGD: users and movies are shuffled by a seed into slots, and the
/// slots cut into <see cref="Side"/> row and column ranges, giving Side × Side blocks. Blocks that share neither a row
/// nor a column touch disjoint user and movie parameters, so threads can run them at once without locks.
/// Entries carry slots, not the original indices: the trainer stores parameter rows in slot order, so a block's users
/// and movies are contiguous in memory; inside a block the ratings are sorted by user slot, so p_u rows stream in
/// address order (the hardware prefetcher follows) and the block's movie rows stay in L2.
/// </summary>
internal sealed class SgdGrid : IDisposable
{
    private readonly HugePageBuffer<SgdEntry> _entries;
    private readonly int[] _starts;
    private readonly int[] _userSlots;
    private readonly int[] _movieSlots;

    private SgdGrid(int side, HugePageBuffer<SgdEntry> entries, int[] starts, int[] userSlots, int[] movieSlots)
    {
        Side = side;
        _entries = entries;
        _starts = starts;
        _userSlots = userSlots;
        _movieSlots = movieSlots;
    }

    /// <summary>Blocks per side: the grid has Side × Side blocks, numbered row-major.</summary>
    public int Side { get; }

    public int BlockCount => Side * Side;

    public ReadOnlySpan<SgdEntry> Block(int block) => _entries.Span[_starts[block].._starts[block + 1]];

    /// <summary>The slot of each user index (a permutation).</summary>
    public ReadOnlyMemory<int> UserSlots => _userSlots;

    /// <summary>The slot of each movie index (a permutation).</summary>
    public ReadOnlyMemory<int> MovieSlots => _movieSlots;

    public static SgdGrid Build(RatingTable table, int users, int movies, int side, int seed, int threads)
    {
        if (movies > ushort.MaxValue + 1)
        {
            throw new ArgumentException($"the SGD grid packs movie indices in 16 bits; {movies} movies is too many", nameof(movies));
        }

        var random = new Random(seed);
        int[] userSlot = Permutation(users, random);
        int[] movieSlot = Permutation(movies, random);
        int[] userRow = BlockOfSlot(userSlot, side);
        int[] movieColumn = BlockOfSlot(movieSlot, side);
        int blocks = side * side;

        // Count and scatter in parallel over contiguous parts of the table; part p writes each block's entries after
        // those of parts before it, so the result is the same as one sequential pass.
        int parts = Math.Max(1, Math.Min(threads, table.Count / 4096));
        var counts = new int[parts][];
        int firstBad = int.MaxValue;
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, parts, options, part =>
        {
            ReadOnlySpan<int> tableUsers = table.Users.Span;
            ReadOnlySpan<short> tableMovies = table.Movies.Span;
            int[] count = counts[part] = new int[blocks];
            for (int i = PartStart(part, parts, table.Count); i < PartStart(part + 1, parts, table.Count); i++)
            {
                int user = tableUsers[i], movie = tableMovies[i];
                if ((uint)user >= (uint)users || (uint)movie >= (uint)movies)
                {
                    InterlockedMin(ref firstBad, i);
                    return;
                }

                count[(userRow[user] * side) + movieColumn[movie]]++;
            }
        });
        if (firstBad != int.MaxValue)
        {
            throw new ArgumentException(
                $"rating {firstBad}: user {table.Users.Span[firstBad]} or movie {table.Movies.Span[firstBad]} is outside {users} users × {movies} movies", nameof(table));
        }

        var starts = new int[blocks + 1];
        var cursors = new int[parts][];
        for (int part = 0; part < parts; part++)
        {
            cursors[part] = new int[blocks];
        }

        for (int b = 0, offset = 0; b < blocks; b++)
        {
            starts[b] = offset;
            for (int part = 0; part < parts; part++)
            {
                cursors[part][b] = offset;
                offset += counts[part][b];
            }

            starts[b + 1] = offset;
        }

        var buffer = new HugePageBuffer<SgdEntry>(table.Count);
        Parallel.For(0, parts, options, part =>
        {
            ReadOnlySpan<int> tableUsers = table.Users.Span;
            ReadOnlySpan<short> tableMovies = table.Movies.Span;
            ReadOnlySpan<byte> tableRatings = table.Ratings.Span;
            Span<SgdEntry> entries = buffer.Span;
            int[] cursor = cursors[part];
            for (int i = PartStart(part, parts, table.Count); i < PartStart(part + 1, parts, table.Count); i++)
            {
                int user = tableUsers[i], movie = tableMovies[i];
                entries[cursor[(userRow[user] * side) + movieColumn[movie]]++] = new SgdEntry(userSlot[user], (ushort)movieSlot[movie], tableRatings[i]);
            }
        });

        SortBlocksByUser(buffer, starts, side, users, threads);
        return new SgdGrid(side, buffer, starts, userSlot, movieSlot);
    }

    public void Dispose() => _entries.Dispose();

    private static int PartStart(int part, int parts, int count) => (int)((long)count * part / parts);

    private static void InterlockedMin(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value < current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static int[] Permutation(int count, Random random)
    {
        int[] slots = [.. Enumerable.Range(0, count)];
        random.Shuffle(slots);
        return slots;
    }

    /// <summary>Slot s of n falls in range ⌊s·side/n⌋: ranges differ in size by at most one.</summary>
    private static int[] BlockOfSlot(int[] slots, int side)
    {
        var blocks = new int[slots.Length];
        for (int i = 0; i < slots.Length; i++)
        {
            blocks[i] = (int)((long)slots[i] * side / slots.Length);
        }

        return blocks;
    }

    /// <summary>A stable counting sort of each block by user slot; blocks are sorted in parallel.</summary>
    private static void SortBlocksByUser(HugePageBuffer<SgdEntry> entries, int[] starts, int side, int users, int threads)
    {
        int largest = 0;
        for (int b = 0; b < side * side; b++)
        {
            largest = Math.Max(largest, starts[b + 1] - starts[b]);
        }

        int rowWidth = (users / side) + 2;
        Parallel.For(0, side * side, new ParallelOptions { MaxDegreeOfParallelism = threads },
            () => (Scratch: new SgdEntry[largest], Counts: new int[rowWidth + 1]),
            (block, _, buffers) =>
            {
                Span<SgdEntry> entriesOfBlock = entries.Span[starts[block]..starts[block + 1]];
                int firstSlot = (int)((((long)(block / side) * users) + side - 1) / side);
                Span<int> counts = buffers.Counts;
                counts.Clear();
                foreach (SgdEntry entry in entriesOfBlock)
                {
                    counts[entry.User - firstSlot + 1]++;
                }

                for (int k = 1; k < counts.Length; k++)
                {
                    counts[k] += counts[k - 1];
                }

                Span<SgdEntry> scratch = buffers.Scratch.AsSpan(0, entriesOfBlock.Length);
                foreach (SgdEntry entry in entriesOfBlock)
                {
                    scratch[counts[entry.User - firstSlot]++] = entry;
                }

                scratch.CopyTo(entriesOfBlock);
                return buffers;
            },
            _ => { });
    }
}
