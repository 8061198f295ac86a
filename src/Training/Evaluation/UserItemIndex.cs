using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// The ratings of a table grouped by user (compressed sparse rows): user <c>u</c>'s movies are
/// <c>Items[Offsets[u] .. Offsets[u + 1]]</c>, in ascending movie order, with their stars aligned in <c>Ratings</c>.
/// Built once from a table and shared: the movies to exclude from ranking, the held-out relevance lists, and the
/// per-user rating counts behind the activity buckets. Duplicate (user, movie) rows are kept.
/// </summary>
public sealed record UserItemIndex(int Users, int Movies, ReadOnlyMemory<int> Offsets, ReadOnlyMemory<short> Items, ReadOnlyMemory<byte> Ratings)
{
    /// <summary>How many ratings <paramref name="user"/> has in the table.</summary>
    public int CountOf(int user) => Offsets.Span[user + 1] - Offsets.Span[user];

    /// <summary>The movies <paramref name="user"/> rated, ascending.</summary>
    public ReadOnlyMemory<short> ItemsOf(int user) => Items[Offsets.Span[user]..Offsets.Span[user + 1]];

    /// <summary>The stars of <see cref="ItemsOf"/>, aligned with it.</summary>
    public ReadOnlyMemory<byte> RatingsOf(int user) => Ratings[Offsets.Span[user]..Offsets.Span[user + 1]];

    /// <summary>Whether <paramref name="user"/> rated <paramref name="movie"/> (binary search of the sorted row).</summary>
    public bool Contains(int user, int movie) => ItemsOf(user).Span.BinarySearch((short)movie) >= 0;

    /// <summary>The users with at least one rating, ascending.</summary>
    public int[] ActiveUsers()
    {
        ReadOnlySpan<int> offsets = Offsets.Span;
        var active = new List<int>();
        for (int u = 0; u < Users; u++)
        {
            if (offsets[u + 1] > offsets[u])
            {
                active.Add(u);
            }
        }

        return [.. active];
    }

    /// <summary>
    /// Groups <paramref name="table"/> by user: a counting sort on the user column (stable, so a table ordered by movie,
    /// as the Prize files are, needs no further sorting), then a sort of any row that is not yet in movie order.
    /// </summary>
    /// <exception cref="ArgumentException">A row names a user or movie outside the given ranges.</exception>
    public static UserItemIndex Build(RatingTable table, int users, int movies)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        ArgumentOutOfRangeException.ThrowIfNegative(movies);
        ReadOnlySpan<int> u = table.Users.Span;
        ReadOnlySpan<short> m = table.Movies.Span;
        ReadOnlySpan<byte> r = table.Ratings.Span;
        var offsets = new int[users + 1];
        for (int i = 0; i < u.Length; i++)
        {
            if ((uint)u[i] >= (uint)users || (uint)m[i] >= (uint)movies)
            {
                throw new ArgumentException($"row {i}: user {u[i]} / movie {m[i]} outside {users} users × {movies} movies");
            }

            offsets[u[i] + 1]++;
        }

        for (int i = 0; i < users; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var cursor = offsets.AsSpan(0, users).ToArray();
        var items = new short[u.Length];
        var ratings = new byte[u.Length];
        for (int i = 0; i < u.Length; i++)
        {
            int at = cursor[u[i]]++;
            items[at] = m[i];
            ratings[at] = r[i];
        }

        for (int i = 0; i < users; i++)
        {
            Span<short> row = items.AsSpan(offsets[i], offsets[i + 1] - offsets[i]);
            if (!IsAscending(row))
            {
                row.Sort(ratings.AsSpan(offsets[i], row.Length));
            }
        }

        return new UserItemIndex(users, movies, offsets, items, ratings);
    }

    private static bool IsAscending(ReadOnlySpan<short> row)
    {
        for (int i = 1; i < row.Length; i++)
        {
            if (row[i] < row[i - 1])
            {
                return false;
            }
        }

        return true;
    }
}
