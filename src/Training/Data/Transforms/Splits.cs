namespace NetflixRec.Training.Data.Transforms;

/// <summary>A partition of a rating table into training and held-out rows.</summary>
public sealed record Split(RatingTable Train, RatingTable Test);

/// <summary>
/// Ways to hold ratings out, each a pure function of the table and its parameters. Every split is disjoint and complete:
/// each row of the input lands in exactly one side, and each side keeps the input's row order.
/// (The official probe split is made at ingest: see <see cref="DatasetBuilder"/>.)
/// </summary>
public static class Splits
{
    /// <summary>Each row goes to the test side with probability <paramref name="testFraction"/>, drawn from <paramref name="seed"/>.</summary>
    public static Split RandomRatio(RatingTable table, double testFraction, int seed)
    {
        if (testFraction is < 0 or > 1 || double.IsNaN(testFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "the test fraction must lie in [0, 1]");
        }

        var random = new Random(seed);
        var isTest = new bool[table.Count];
        for (int i = 0; i < isTest.Length; i++)
        {
            isTest[i] = random.NextDouble() < testFraction;
        }

        return ByMask(table, isTest);
    }

    /// <summary>Rows dated before <paramref name="firstTestDay"/> train; the rest test (NVIDIA's Netflix-full split is train to Nov 2005, test Dec 2005).</summary>
    public static Split Temporal(RatingTable table, short firstTestDay)
    {
        ReadOnlySpan<short> days = table.Days.Span;
        var isTest = new bool[table.Count];
        for (int i = 0; i < isTest.Length; i++)
        {
            isTest[i] = days[i] >= firstTestDay;
        }

        return ByMask(table, isTest);
    }

    /// <summary>
    /// For each user, the <paramref name="n"/> most recent ratings are held out (ties on the day broken by row order,
    /// later rows first), but never all of a user's ratings: at least one stays in training.
    /// </summary>
    public static Split LeaveLatestN(RatingTable table, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int userCount = 0;
        foreach (int u in table.Users.Span)
        {
            userCount = Math.Max(userCount, u + 1);
        }

        // Group rows by user (counting sort), then within each user pick the latest n by (day, row).
        ReadOnlySpan<int> users = table.Users.Span;
        ReadOnlySpan<short> days = table.Days.Span;
        var start = new int[userCount + 1];
        foreach (int u in users)
        {
            start[u + 1]++;
        }

        for (int u = 0; u < userCount; u++)
        {
            start[u + 1] += start[u];
        }

        var rowsByUser = new int[table.Count];
        var fill = (int[])start.Clone();
        for (int i = 0; i < users.Length; i++)
        {
            rowsByUser[fill[users[i]]++] = i;
        }

        var isTest = new bool[table.Count];
        for (int u = 0; u < userCount; u++)
        {
            Span<int> rows = rowsByUser.AsSpan(start[u], start[u + 1] - start[u]);
            int holdOut = Math.Min(n, rows.Length - 1);
            if (holdOut <= 0)
            {
                continue;
            }

            int[] ordered = rows.ToArray();
            short[] keys = new short[ordered.Length];
            for (int k = 0; k < ordered.Length; k++)
            {
                keys[k] = days[ordered[k]];
            }

            // Stable sort by day keeps row order among equal days; the last entries are the latest.
            int[] index = Enumerable.Range(0, ordered.Length).OrderBy(k => keys[k]).ThenBy(k => ordered[k]).ToArray();
            for (int k = index.Length - holdOut; k < index.Length; k++)
            {
                isTest[ordered[index[k]]] = true;
            }
        }

        return ByMask(table, isTest);
    }

    /// <summary>Rows whose mask entry is true go to the test side.</summary>
    public static Split ByMask(RatingTable table, ReadOnlySpan<bool> isTest)
    {
        if (isTest.Length != table.Count)
        {
            throw new ArgumentException($"the mask has {isTest.Length} entries for {table.Count} rows", nameof(isTest));
        }

        int testCount = 0;
        foreach (bool t in isTest)
        {
            testCount += t ? 1 : 0;
        }

        var trainRows = new int[table.Count - testCount];
        var testRows = new int[testCount];
        int a = 0, b = 0;
        for (int i = 0; i < isTest.Length; i++)
        {
            if (isTest[i])
            {
                testRows[b++] = i;
            }
            else
            {
                trainRows[a++] = i;
            }
        }

        return new Split(table.Select(trainRows), table.Select(testRows));
    }
}
