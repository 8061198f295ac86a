using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// The official probe split over movie blocks: every probe pair must be a training rating; it moves to the probe table,
/// the rest stay in train. Works movie by movie with a per-thread bitmap over user indices, so membership is one bit test
/// per rating instead of a hash lookup.
/// </summary>
internal sealed class ProbeSplitter(NetflixSource source, RankBitmap users, IdMap movies, int parallelism)
{
    private readonly string _probePath = source.Layout.ProbePath;
    private readonly string _oraclePath = source.Layout.OraclePath;

    public (RatingTable Train, RatingTable Probe, float[] Oracle) Split()
    {
        IReadOnlyList<MovieRatings> blocks = source.Movies;
        MovieQueries?[] probeOf = AlignToMovies(source.Probe.Select(p => (p.MovieId, p)), _probePath, p => p.Customers.Span[0]);
        MovieOracle?[] oracleOf = AlignToMovies(source.Oracle.Select(o => (o.MovieId, o)), _oraclePath, o => o.Customers.Span[0]);
        bool withOracle = source.Oracle.Count > 0;

        var probeCounts = new int[blocks.Count];
        for (int m = 0; m < blocks.Count; m++)
        {
            probeCounts[m] = probeOf[m]?.Count ?? 0;
        }

        int[] trainOffsets = PrefixSums(blocks.Count, m => blocks[m].Count - probeCounts[m]);
        int[] probeOffsets = PrefixSums(blocks.Count, m => probeCounts[m]);
        var train = new Columns(trainOffsets[^1]);
        var probe = new Columns(probeOffsets[^1]);
        float[] oracle = withOracle ? new float[probe.Users.Length] : [];

        ParallelWork.For(blocks.Count, parallelism, () => new ulong[(users.Count >> 6) + 1], (m, marks) =>
        {
            MovieRatings block = blocks[m];
            MovieQueries? probeBlock = probeOf[m];
            ReadOnlySpan<int> probeCustomers = probeBlock is null ? [] : probeBlock.Customers.Span;
            Mark(marks, probeCustomers, block.MovieId);
            Dictionary<int, float>? expected = withOracle && probeBlock is not null ? OracleFor(oracleOf[m], block.MovieId) : null;

            ReadOnlySpan<int> customers = block.Customers.Span;
            ReadOnlySpan<byte> ratings = block.Ratings.Span;
            ReadOnlySpan<short> days = block.Days.Span;
            int t = trainOffsets[m], p = probeOffsets[m];
            int trainEnd = trainOffsets[m + 1], probeEnd = probeOffsets[m + 1];
            short movie = (short)m;
            for (int i = 0; i < customers.Length; i++)
            {
                int user = users.IndexOf(customers[i]);
                ulong bit = 1UL << (user & 63);
                if ((marks[user >> 6] & bit) == 0)
                {
                    // Past trainEnd some probe pair did not match: keep scanning (to clear marks), report below.
                    if (t < trainEnd)
                    {
                        train.Set(t, user, movie, ratings[i], days[i]);
                    }

                    t++;
                    continue;
                }

                marks[user >> 6] &= ~bit; // a second rating of the same pair must not match twice
                if (p == probeEnd)
                {
                    throw new NetflixFormatException(source.Layout.Directory, 0, $"movie {block.MovieId}: customer {customers[i]} is rated twice in the training set");
                }

                if (expected is not null)
                {
                    if (!expected.TryGetValue(customers[i], out float value))
                    {
                        throw DatasetBuilder.Unknown(_probePath, block.MovieId, customers[i], $"probe pair (movie {block.MovieId}, customer {customers[i]}) has no line in {_oraclePath}");
                    }

                    oracle[p] = value;
                }

                probe.Set(p++, user, movie, ratings[i], days[i]);
            }

            if (p != probeEnd)
            {
                ReportMissingProbePair(block, probeCustomers, marks);
            }
        });

        return (train.ToTable(), probe.ToTable(), oracle);
    }

    private void Mark(ulong[] marks, ReadOnlySpan<int> probeCustomers, int movieId)
    {
        foreach (int customer in probeCustomers)
        {
            int user = users.IndexOf(customer);
            if (user < 0)
            {
                throw DatasetBuilder.Unknown(_probePath, movieId, customer,
                    $"probe pair (movie {movieId}, customer {customer}) is not in the training set: the customer has no ratings");
            }

            ulong bit = 1UL << (user & 63);
            if ((marks[user >> 6] & bit) != 0)
            {
                throw DatasetBuilder.Unknown(_probePath, movieId, customer, $"probe pair (movie {movieId}, customer {customer}) is listed twice");
            }

            marks[user >> 6] |= bit;
        }
    }

    private void ReportMissingProbePair(MovieRatings block, ReadOnlySpan<int> probeCustomers, ulong[] marks)
    {
        foreach (int customer in probeCustomers)
        {
            int user = users.IndexOf(customer);
            if ((marks[user >> 6] & (1UL << (user & 63))) != 0)
            {
                Array.Clear(marks);
                throw DatasetBuilder.Unknown(_probePath, block.MovieId, customer,
                    $"probe pair (movie {block.MovieId}, customer {customer}) is not in the training set");
            }
        }

        throw new NetflixFormatException(_probePath, 0, $"movie {block.MovieId}: probe pairs do not match the training set");
    }

    private Dictionary<int, float> OracleFor(MovieOracle? block, int movieId)
    {
        if (block is null)
        {
            throw new NetflixFormatException(_oraclePath, 0, $"movie {movieId} has probe pairs but no block in the oracle file");
        }

        var expected = new Dictionary<int, float>(block.Count);
        ReadOnlySpan<int> customers = block.Customers.Span;
        ReadOnlySpan<float> values = block.Expected.Span;
        for (int i = 0; i < customers.Length; i++)
        {
            expected[customers[i]] = values[i];
        }

        return expected;
    }

    /// <summary>Places each per-movie block at its movie's index; a block for a movie without ratings is an error.</summary>
    private T?[] AlignToMovies<T>(IEnumerable<(int MovieId, T Block)> blocks, string path, Func<T, int> firstCustomer)
        where T : class
    {
        var aligned = new T?[movies.Count];
        foreach ((int movieId, T block) in blocks)
        {
            int index = movies.IndexOf(movieId);
            if (index < 0)
            {
                throw DatasetBuilder.Unknown(path, movieId, firstCustomer(block), $"movie {movieId} has no ratings in the training set");
            }

            aligned[index] = block;
        }

        return aligned;
    }

    private static int[] PrefixSums(int count, Func<int, int> size)
    {
        var offsets = new int[count + 1];
        for (int i = 0; i < count; i++)
        {
            offsets[i + 1] = checked(offsets[i] + size(i));
        }

        return offsets;
    }

    private sealed class Columns(int count)
    {
        public readonly int[] Users = new int[count];
        public readonly short[] Movies = new short[count];
        public readonly byte[] Ratings = new byte[count];
        public readonly short[] Days = new short[count];

        public void Set(int row, int user, short movie, byte rating, short day)
        {
            Users[row] = user;
            Movies[row] = movie;
            Ratings[row] = rating;
            Days[row] = day;
        }

        public RatingTable ToTable() => new(Users, Movies, Ratings, Days);
    }
}
