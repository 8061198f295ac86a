using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Array = System.Array;
using NetflixRec.Contracts;

namespace NetflixRec.Serving;

/// <summary>
/// Everything of a model directory except the graph, read and cross-checked: the manifest, the ID maps (dense index ⇄
/// Netflix ID), titles by movie index, every training rating by user (CSR) and the popularity ranking used for cold
/// starts. Any inconsistency is an <see cref="InvalidDataException"/> naming the file.
/// </summary>
public sealed class ModelArtifacts
{
    private static readonly CompressionCodecFactory Codecs = new();

    private ModelArtifacts(ModelManifest manifest, int[] customerIds, int[] movieIds, string[] titles, int[] years,
        int[] historyOffsets, short[] historyMovies, byte[] historyRatings)
    {
        Manifest = manifest;
        CustomerIds = customerIds;
        MovieIds = movieIds;
        Titles = titles;
        Years = years;
        HistoryOffsets = historyOffsets;
        HistoryMovies = historyMovies;
        HistoryRatings = historyRatings;
        (Popularity, RatingCounts, MeanRatings) = Aggregate(movieIds.Length, historyMovies, historyRatings);
    }

    public ModelManifest Manifest { get; }

    /// <summary>CustomerID of each user index, ascending (binary-searchable).</summary>
    public int[] CustomerIds { get; }

    /// <summary>MovieID of each movie index, ascending (binary-searchable).</summary>
    public int[] MovieIds { get; }

    /// <summary>Title and year (0 when unknown) of each movie index.</summary>
    public string[] Titles { get; }
    public int[] Years { get; }

    /// <summary>User u rated movies <c>HistoryMovies[HistoryOffsets[u]..HistoryOffsets[u + 1]]</c> (ascending).</summary>
    public int[] HistoryOffsets { get; }
    public short[] HistoryMovies { get; }
    public byte[] HistoryRatings { get; }

    /// <summary>Movie indices by training rating count, most rated first (ties: lower MovieID first).</summary>
    public int[] Popularity { get; }
    public int[] RatingCounts { get; }

    /// <summary>Per-movie mean rating shrunk toward the global mean (the cold-start prediction).</summary>
    public float[] MeanRatings { get; }

    public int UserCount => CustomerIds.Length;
    public int MovieCount => MovieIds.Length;

    /// <summary>The user index of a CustomerID, or -1 when the model never saw that customer.</summary>
    public int UserIndexOf(long customerId) =>
        customerId is > 0 and <= int.MaxValue ? Math.Max(-1, Array.BinarySearch(CustomerIds, (int)customerId)) : -1;

    /// <summary>The movie index of a MovieID, or -1 when it is not in the model's catalog.</summary>
    public int MovieIndexOf(int movieId) => Math.Max(-1, Array.BinarySearch(MovieIds, movieId));

    public ReadOnlySpan<short> RatedMovies(int user) => HistoryMovies.AsSpan(HistoryOffsets[user], HistoryOffsets[user + 1] - HistoryOffsets[user]);

    public ReadOnlySpan<byte> Ratings(int user) => HistoryRatings.AsSpan(HistoryOffsets[user], HistoryOffsets[user + 1] - HistoryOffsets[user]);

    /// <summary>Reads and checks every file of <paramref name="directory"/> but model.onnx.</summary>
    public static ModelArtifacts Load(string directory)
    {
        string manifestPath = Path.Combine(directory, ModelDirectory.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new InvalidDataException($"{manifestPath}: not found");
        }

        ModelManifest manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
        ManifestValidation.Check(manifest, manifestPath);

        int[] customers = ReadInt32Column(Path.Combine(directory, ModelDirectory.Users), DatasetSchema.CustomerId, manifest.Users);
        int[] movies = ReadInt32Column(Path.Combine(directory, ModelDirectory.Movies), DatasetSchema.MovieId, manifest.Movies);
        (string[] titles, int[] years) = ReadTitles(Path.Combine(directory, ModelDirectory.Titles), movies);
        (int[] offsets, short[] historyMovies, byte[] ratings) = ReadHistory(Path.Combine(directory, ModelDirectory.History), manifest.Users, manifest.Movies);
        return new ModelArtifacts(manifest, customers, movies, titles, years, offsets, historyMovies, ratings);
    }

    private static int[] ReadInt32Column(string path, string column, int expectedRows)
    {
        // Grown as rows arrive, not sized from the manifest: a manifest claiming 2^31 users must fail on the row count.
        var values = new List<int>();
        ReadBatches(path, batch =>
        {
            if (batch.Column(column) is not Int32Array array)
            {
                throw new InvalidDataException($"{path}: no int32 column '{column}'");
            }

            values.AddRange(array.Values);
        });
        if (values.Count != expectedRows)
        {
            throw new InvalidDataException($"{path}: {values.Count} rows, but the manifest says {expectedRows}");
        }

        for (int i = 1; i < values.Count; i++)
        {
            if (values[i] <= values[i - 1])
            {
                throw new InvalidDataException($"{path}: row {i}: {column} {values[i]} is not ascending");
            }
        }

        return [.. values];
    }

    private static (string[] Titles, int[] Years) ReadTitles(string path, int[] movieIds)
    {
        var titles = new string[movieIds.Length];
        var years = new int[movieIds.Length];
        Array.Fill(titles, string.Empty);
        ReadBatches(path, batch =>
        {
            if (batch.Column(DatasetSchema.MovieId) is not Int32Array ids || batch.Column(DatasetSchema.Title) is not StringArray names
                || batch.Column(DatasetSchema.Year) is not Int16Array yearColumn)
            {
                throw new InvalidDataException($"{path}: expected columns movie_id int32, year int16, title utf8");
            }

            for (int i = 0; i < batch.Length; i++)
            {
                int index = Array.BinarySearch(movieIds, ids.Values[i]);
                if (index >= 0)
                {
                    titles[index] = names.GetString(i) ?? string.Empty;
                    years[index] = yearColumn.GetValue(i) ?? 0;
                }
            }
        });
        return (titles, years);
    }

    private static (int[] Offsets, short[] Movies, byte[] Ratings) ReadHistory(string path, int users, int movies)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; the model directory is incomplete (run 'netflixrec export')");
        }

        UserHistoryColumns history = UserHistoryFile.Read(path, movies, Codecs, expectedUsers: users);
        if (history.Offsets[^1] > int.MaxValue)
        {
            throw new InvalidDataException($"{path}: {history.Offsets[^1]} ratings, more than one server holds");
        }

        return (Array.ConvertAll(history.Offsets, o => (int)o), history.Movies, history.Ratings);
    }

    private static void ReadBatches(string path, Action<RecordBatch> onBatch)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; the model directory is incomplete (run 'netflixrec export')");
        }

        try
        {
            using var reader = new ArrowFileReader(File.OpenRead(path), Codecs);
            while (reader.ReadNextRecordBatch() is { } batch)
            {
                using (batch)
                {
                    onBatch(batch);
                }
            }
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: not a readable Arrow file ({e.Message})", e);
        }
    }

    private static (int[] Popularity, int[] Counts, float[] Means) Aggregate(int movies, short[] historyMovies, byte[] ratings)
    {
        var counts = new int[movies];
        var sums = new long[movies];
        long total = 0;
        for (int i = 0; i < historyMovies.Length; i++)
        {
            counts[historyMovies[i]]++;
            sums[historyMovies[i]] += ratings[i];
            total += ratings[i];
        }

        // Shrink toward the global mean so a movie with two 5-star ratings does not predict 5.
        const double Prior = 10;
        double global = historyMovies.Length == 0 ? 3.6 : (double)total / historyMovies.Length;
        var means = new float[movies];
        for (int j = 0; j < movies; j++)
        {
            means[j] = (float)((sums[j] + Prior * global) / (counts[j] + Prior));
        }

        int[] order = [.. Enumerable.Range(0, movies).OrderByDescending(j => counts[j]).ThenBy(j => j)];
        return (order, counts, means);
    }
}
