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
        ArgumentNullException.ThrowIfNull(byUser);
        Schema schema = UserHistoryFile.SchemaFor(byUser.Rows);
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
    /// declared range, a movie in 0..movies−1 (ascending within its user) and 1–5 stars, or the row is an error naming
    /// the file (the contract's reader, <see cref="UserHistoryFile.Read"/>, which serving uses too).
    /// </summary>
    public static RatingIndex Read(string path, int movies)
    {
        UserHistoryColumns history = UserHistoryFile.Read(path, movies, ZstdCodecs.Instance);
        return new RatingIndex(history.Offsets, System.Array.ConvertAll(history.Movies, m => (int)m), System.Array.ConvertAll(history.Ratings, r => (float)r));
    }
}
