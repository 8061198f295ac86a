using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace NetflixRec.Contracts;

/// <summary>
/// history.arrow as read back: each user's ratings, users in order, movies ascending within a user.
/// <c>Movies[Offsets[u]..Offsets[u + 1]]</c> are user u's movies (dense indices) and <c>Ratings</c> their stars.
/// </summary>
public sealed record UserHistoryColumns(long[] Offsets, short[] Movies, byte[] Ratings)
{
    public int Users => Offsets.Length - 1;
}

/// <summary>
/// The history.arrow file of a model directory (<see cref="ModelDirectory.History"/>): the schema training writes and
/// the one reader training and serving both use. Columns user int32, movie int16, rating uint8 (the dataset's rating
/// schema without the day); the user count travels in the schema metadata under <see cref="UsersMetadataKey"/>.
/// </summary>
public static class UserHistoryFile
{
    /// <summary>The same key as the ONNX file's user count (<see cref="OnnxContract.MetadataUsers"/>).</summary>
    public const string UsersMetadataKey = OnnxContract.MetadataUsers;

    /// <summary>The schema of a history of <paramref name="users"/> users.</summary>
    public static Schema SchemaFor(int users) => new Schema.Builder()
        .Field(f => f.Name(DatasetSchema.User).DataType(Int32Type.Default).Nullable(false))
        .Field(f => f.Name(DatasetSchema.Movie).DataType(Int16Type.Default).Nullable(false))
        .Field(f => f.Name(DatasetSchema.Rating).DataType(UInt8Type.Default).Nullable(false))
        .Metadata(UsersMetadataKey, users.ToString(CultureInfo.InvariantCulture))
        .Build();

    /// <summary>
    /// Reads and checks a history for a model of <paramref name="movies"/> movies (and <paramref name="expectedUsers"/>
    /// users, when given): every row must name a user in range and in order, a movie in 0..movies−1 ascending within
    /// its user, and 1–5 stars. Any problem is an <see cref="InvalidDataException"/> whose message starts with the path.
    /// </summary>
    public static UserHistoryColumns Read(string path, int movies, ICompressionCodecFactory codecs, int? expectedUsers = null)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; the model directory is incomplete");
        }

        try
        {
            using var reader = new ArrowFileReader(File.OpenRead(path), codecs);
            return ReadColumns(reader, path, movies, expectedUsers);
        }
        catch (Exception e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: not a readable Arrow file ({e.Message})", e);
        }
    }

    private static UserHistoryColumns ReadColumns(ArrowFileReader reader, string path, int movieCount, int? expectedUsers)
    {
        Schema schema = reader.Schema;
        if (schema.Metadata is null || !schema.Metadata.TryGetValue(UsersMetadataKey, out string? usersText)
            || !int.TryParse(usersText, CultureInfo.InvariantCulture, out int userCount) || userCount < 0)
        {
            throw new InvalidDataException($"{path}: not a NetflixRec user history (schema metadata {UsersMetadataKey} is missing)");
        }

        if (expectedUsers is { } expected && expected != userCount)
        {
            throw new InvalidDataException($"{path}: schema metadata {UsersMetadataKey} ({userCount}) is not the manifest's {expected}");
        }

        var offsets = new long[userCount + 1];
        var movieColumn = new List<short>();
        var ratingColumn = new List<byte>();
        int previous = 0, previousMovie = -1;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                if (batch.Column(DatasetSchema.User) is not Int32Array userArray || batch.Column(DatasetSchema.Movie) is not Int16Array movieArray
                    || batch.Column(DatasetSchema.Rating) is not UInt8Array ratingArray)
                {
                    throw new InvalidDataException($"{path}: expected columns user int32, movie int16, rating uint8");
                }

                ReadOnlySpan<int> users = userArray.Values;
                ReadOnlySpan<short> moviesOfBatch = movieArray.Values;
                ReadOnlySpan<byte> stars = ratingArray.Values;
                for (int i = 0; i < users.Length; i++)
                {
                    int user = users[i], movie = moviesOfBatch[i];
                    if (user < previous || user >= userCount)
                    {
                        throw new InvalidDataException($"{path}: row {movieColumn.Count}: user {user} out of order or outside 0..{userCount - 1}");
                    }

                    if (movie < 0 || movie >= movieCount || (user == previous && movie <= previousMovie))
                    {
                        throw new InvalidDataException($"{path}: row {movieColumn.Count}: movie {movie} of user {user} out of order or outside 0..{movieCount - 1}");
                    }

                    if (stars[i] is < 1 or > 5)
                    {
                        throw new InvalidDataException($"{path}: row {movieColumn.Count}: rating {stars[i]} outside 1–5");
                    }

                    previousMovie = movie;
                    previous = user;
                    offsets[user + 1]++;
                    movieColumn.Add((short)movie);
                    ratingColumn.Add(stars[i]);
                }
            }
        }

        for (int u = 0; u < userCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        return new UserHistoryColumns(offsets, [.. movieColumn], [.. ratingColumn]);
    }
}
