using Apache.Arrow;
using Apache.Arrow.Ipc;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models;

/// <summary>
/// history.arrow of a model directory: every training rating grouped by user (user, movie ascending), in the dataset's
/// rating schema (user int32, movie int16, rating uint8; the day column is zero). It is what a model that reads a user's
/// rating vector (user-based autoencoders, Mult-VAE) takes as input at inference, and what the server excludes from a
/// customer's recommendations.
/// </summary>
public static class UserHistory
{
    public const string FileName = ModelDirectory.History;

    private const int RowsPerBatch = 1 << 20;

    /// <summary>Writes <paramref name="byUser"/> (a <see cref="RatingIndex.ByUser"/> index) to <paramref name="path"/>; the user count travels in the schema metadata.</summary>
    public static void Write(string path, RatingIndex byUser)
    {
        Schema schema = new Schema.Builder()
            .Field(f => f.Name(DatasetSchema.User).DataType(Apache.Arrow.Types.Int32Type.Default).Nullable(false))
            .Field(f => f.Name(DatasetSchema.Movie).DataType(Apache.Arrow.Types.Int16Type.Default).Nullable(false))
            .Field(f => f.Name(DatasetSchema.Rating).DataType(Apache.Arrow.Types.UInt8Type.Default).Nullable(false))
            .Metadata("netflixrec.users", byUser.Rows.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Build();
        ReadOnlySpan<long> offsets = byUser.Offsets.Span;
        long total = offsets[^1];
        using FileStream stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, DatasetWriter.IpcOptionsFor(StoreOptions.Default));
        writer.WriteStart();
        int user = 0;
        for (long start = 0; start < total; start += RowsPerBatch)
        {
            int length = (int)Math.Min(RowsPerBatch, total - start);
            var users = new int[length];
            var movies = new short[length];
            var ratings = new byte[length];
            ReadOnlySpan<int> columns = byUser.Columns.Span.Slice((int)start, length);
            ReadOnlySpan<float> stars = byUser.Ratings.Span.Slice((int)start, length);
            for (int i = 0; i < length; i++)
            {
                while (offsets[user + 1] <= start + i)
                {
                    user++;
                }

                users[i] = user;
                movies[i] = (short)columns[i];
                ratings[i] = (byte)stars[i];
            }

            using var batch = new RecordBatch(schema, [ArrowColumns.Int32(users), ArrowColumns.Int16(movies), ArrowColumns.UInt8(ratings)], length);
            writer.WriteRecordBatch(batch);
        }

        writer.WriteEnd();
    }

    /// <summary>Reads a file written by <see cref="Write"/> back into the same index; a missing or foreign file is an error naming it.</summary>
    public static RatingIndex Read(string path) => Read(path, short.MaxValue + 1);

    /// <summary>
    /// <see cref="Read(string)"/> for a model of <paramref name="movies"/> movies: every row must name a user in the
    /// declared range, a movie in 0..movies−1 (ascending within its user) and 1–5 stars, or the row is an error naming the file.
    /// </summary>
    public static RatingIndex Read(string path, int movies)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; the model directory is incomplete");
        }

        try
        {
            return ReadIndex(path, movies);
        }
        catch (Exception e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable Arrow file ({e.Message})", e);
        }
    }

    private static RatingIndex ReadIndex(string path, int movieCount)
    {
        using var reader = new ArrowFileReader(File.OpenRead(path), ZstdCodecs.Instance);
        Schema schema = reader.Schema;
        if (schema.Metadata is null || !schema.Metadata.TryGetValue("netflixrec.users", out string? usersText)
            || !int.TryParse(usersText, System.Globalization.CultureInfo.InvariantCulture, out int userCount) || userCount < 0)
        {
            throw new InvalidDataException($"{path}: not a NetflixRec user history (schema metadata netflixrec.users is missing)");
        }

        var offsets = new long[userCount + 1];
        var columns = new List<int>();
        var ratings = new List<float>();
        int previous = 0, previousMovie = -1;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                ReadOnlySpan<int> users = ArrowColumns.Values<int>(batch, DatasetSchema.User);
                ReadOnlySpan<short> movies = ArrowColumns.Values<short>(batch, DatasetSchema.Movie);
                ReadOnlySpan<byte> stars = ArrowColumns.Values<byte>(batch, DatasetSchema.Rating);
                for (int i = 0; i < users.Length; i++)
                {
                    int user = users[i], movie = movies[i];
                    if (user < previous || user >= userCount)
                    {
                        throw new InvalidDataException($"{path}: row {columns.Count}: user {user} out of order or outside 0..{userCount - 1}");
                    }

                    if (movie < 0 || movie >= movieCount || (user == previous && movie <= previousMovie))
                    {
                        throw new InvalidDataException($"{path}: row {columns.Count}: movie {movie} of user {user} out of order or outside 0..{movieCount - 1}");
                    }

                    if (stars[i] is < 1 or > 5)
                    {
                        throw new InvalidDataException($"{path}: row {columns.Count}: rating {stars[i]} outside 1–5");
                    }

                    previousMovie = movie;
                    previous = user;
                    offsets[user + 1]++;
                    columns.Add(movies[i]);
                    ratings.Add(stars[i]);
                }
            }
        }

        for (int u = 0; u < userCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        return new RatingIndex(offsets, columns.ToArray(), ratings.ToArray());
    }
}
