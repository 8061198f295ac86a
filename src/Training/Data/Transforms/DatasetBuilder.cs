using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// Turns what the Prize files say into the training dataset: dense ID maps, the official probe split and indexed
/// qualifying pairs. A pure function of its input (the only I/O is re-reading a query file to name the line of an error).
/// </summary>
public static class DatasetBuilder
{
    public static NetflixDataset FromSource(NetflixSource source, int parallelism)
    {
        IReadOnlyList<MovieRatings> movies = source.Movies;
        if (movies.Count > short.MaxValue)
        {
            throw new NetflixFormatException(source.Layout.Directory, 0, $"{movies.Count} movies exceed the {short.MaxValue} the dataset's int16 movie column holds");
        }

        var movieIds = new int[movies.Count];
        for (int m = 0; m < movies.Count; m++)
        {
            movieIds[m] = movies[m].MovieId;
        }

        int maxCustomer = 0;
        foreach (MovieRatings block in movies)
        {
            maxCustomer = Math.Max(maxCustomer, MaxOf(block.Customers.Span));
        }

        RankBitmap users = RankBitmap.Build(maxCustomer, movies.Select(m => m.Customers).ToArray(), parallelism);
        var movieMap = new IdMap(movieIds);
        var probeSplit = new ProbeSplitter(source, users, movieMap, parallelism);
        (RatingTable train, RatingTable probe, float[] oracle) = probeSplit.Split();
        QueryTable qualifying = IndexQueries(source.Layout.QualifyingPath, source.Qualifying, users.IndexOf, movieMap, parallelism);
        return new NetflixDataset(new IdMap(users.ToIds()), movieMap, source.Titles, train, probe, oracle, qualifying);
    }

    private static int MaxOf(ReadOnlySpan<int> values)
    {
        int max = 0;
        foreach (int v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>
    /// A Prize query file's pairs as dense indices (<paramref name="userIndexOf"/>: CustomerID → user index, −1 when
    /// unknown), in the file's order, with the days its lines carry (0 for a probe file, whose lines have none). A movie
    /// or customer without training ratings is a <see cref="NetflixFormatException"/> naming the file and line. Ingest indexes the
    /// qualifying set with it, <c>netflixrec predict</c> the probe and qualifying files it is given.
    /// </summary>
    internal static QueryTable IndexQueries(string path, IReadOnlyList<MovieQueries> blocks, Func<int, int> userIndexOf, IdMap movies, int parallelism)
    {
        if (blocks.Count == 0)
        {
            return QueryTable.Empty;
        }

        var offsets = new int[blocks.Count + 1];
        for (int b = 0; b < blocks.Count; b++)
        {
            offsets[b + 1] = offsets[b] + blocks[b].Count;
        }

        int total = offsets[^1];
        var userColumn = new int[total];
        var movieColumn = new short[total];
        var dayColumn = new short[total];
        ParallelWork.For(blocks.Count, parallelism, b =>
        {
            MovieQueries block = blocks[b];
            ReadOnlySpan<int> customers = block.Customers.Span;
            if (customers.IsEmpty)
            {
                return; // a header without lines asks for nothing, whatever its movie
            }

            int movie = movies.IndexOf(block.MovieId);
            if (movie < 0)
            {
                throw Unknown(path, block.MovieId, customers[0], $"movie {block.MovieId} has no ratings in the training set");
            }

            int at = offsets[b];
            for (int i = 0; i < customers.Length; i++)
            {
                int user = userIndexOf(customers[i]);
                if (user < 0)
                {
                    throw Unknown(path, block.MovieId, customers[i], $"customer {customers[i]} has no ratings in the training set");
                }

                userColumn[at + i] = user;
                movieColumn[at + i] = (short)movie;
            }

            block.Days.Span.CopyTo(dayColumn.AsSpan(at));
        });
        return new QueryTable(userColumn, movieColumn, dayColumn);
    }

    internal static NetflixFormatException Unknown(string path, int movieId, int customerId, string problem) =>
        new(path, QueryFileParser.FindLine(path, movieId, customerId), problem);
}
