using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Data.Store;

/// <summary>
/// A content fingerprint of a dataset: XxHash128 over every column in row order, the ID maps and the titles. It ignores
/// how the data is batched, sharded or compressed, so it identifies the data a model was trained on.
/// </summary>
public static class DatasetFingerprint
{
    public static string Of(NetflixDataset dataset)
    {
        var hash = new XxHash128();
        Append(hash, "users", dataset.Users.Ids.Span);
        Append(hash, "movies", dataset.Movies.Ids.Span);
        AppendTable(hash, "train", dataset.Train);
        AppendTable(hash, "probe", dataset.Probe);
        Append(hash, "oracle", dataset.ProbeOracle.Span);
        Append(hash, "qualifying.user", dataset.Qualifying.Users.Span);
        Append(hash, "qualifying.movie", dataset.Qualifying.Movies.Span);
        Append(hash, "qualifying.day", dataset.Qualifying.Days.Span);
        foreach (Netflix.MovieTitle title in dataset.Titles)
        {
            hash.Append(Encoding.UTF8.GetBytes($"{title.MovieId}\u001f{title.Year}\u001f{title.Title}\u001e"));
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    private static void AppendTable(XxHash128 hash, string name, RatingTable table)
    {
        Append(hash, name + ".user", table.Users.Span);
        Append(hash, name + ".movie", table.Movies.Span);
        Append(hash, name + ".rating", table.Ratings.Span);
        Append(hash, name + ".day", table.Days.Span);
    }

    private static void Append<T>(XxHash128 hash, string name, ReadOnlySpan<T> values)
        where T : struct
    {
        // Name and length first, so that moving rows between columns changes the hash.
        hash.Append(Encoding.UTF8.GetBytes($"{name}:{values.Length};"));
        hash.Append(MemoryMarshal.AsBytes(values));
    }
}
