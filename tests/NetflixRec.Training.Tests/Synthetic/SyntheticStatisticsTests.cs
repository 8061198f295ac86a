using System.Text;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>The tiny dataset on disk looks like the Prize: shapes, tails, dates, hold-out rules, oracle and titles.</summary>
public sealed class SyntheticStatisticsTests(TinyPrizeFixture tiny) : IClassFixture<TinyPrizeFixture>
{
    private const string FirstDate = "1999-11-11";
    private const string LastDate = "2005-12-31";

    private List<TrainingLine> Training => tiny.Files.Training;

    [Fact]
    public void Ratings_Tiny_MeanAndStarSharesNearThePrize()
    {
        double[] targetShares = [0.05, 0.10, 0.29, 0.34, 0.23];

        double mean = Training.Average(r => r.Stars);
        double[] shares = Enumerable.Range(1, 5).Select(star => Training.Count(r => r.Stars == star) / (double)Training.Count).ToArray();

        Assert.InRange(mean, 3.4, 3.8);
        for (int k = 0; k < 5; k++)
        {
            Assert.True(Math.Abs(shares[k] - targetShares[k]) < 0.03, $"{k + 1} stars: {shares[k]:P1}, target {targetShares[k]:P0}");
        }

        Assert.InRange(Training.Count, 9_000, 11_000);
    }

    [Fact]
    public void Customers_Tiny_AreSparseIdsWithinThePrizeRange()
    {
        int[] customers = Training.Select(r => r.Customer).Distinct().Order().ToArray();

        Assert.Equal(400, customers.Length);
        Assert.InRange(customers[0], 1, 2_649_429);
        Assert.InRange(customers[^1], 1, 2_649_429);

        // A random subset of 2.6 million IDs: wide gaps, spread over the whole range.
        Assert.True(customers[^1] - customers[0] > 100 * customers.Length, "customer IDs are not sparse");
        Assert.True(customers[^1] > 2_000_000 && customers[0] < 650_000, "customer IDs do not span the range");
    }

    [Fact]
    public void Activity_Tiny_IsHeavyTailed()
    {
        int[] perUser = Training.GroupBy(r => r.Customer).Select(g => g.Count()).Order().ToArray();
        int[] perMovie = Training.GroupBy(r => r.Movie).Select(g => g.Count()).Order().ToArray();

        // Tiny is dense (a sixth of the matrix) and its biggest movies reach the cap of half the users, so the movie
        // tail is checked more loosely than the user tail.
        Assert.True(perUser[^1] >= 5 * perUser[perUser.Length / 2], $"users: max {perUser[^1]}, median {perUser[perUser.Length / 2]}");
        Assert.True(perMovie[^1] >= 3 * perMovie[perMovie.Length / 2], $"movies: max {perMovie[^1]}, median {perMovie[perMovie.Length / 2]}");
        Assert.All(perMovie, count => Assert.True(count >= 1));
    }

    [Fact]
    public void Dates_Tiny_LieInThePrizeSpanAndGrowOverTime()
    {
        string[] dates = [.. Training.Select(r => r.Date), .. tiny.Files.Qualifying.Select(q => q.Date)];
        int Year(int year) => dates.Count(d => d.StartsWith(year.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        Assert.All(dates, d => Assert.InRange(string.CompareOrdinal(d, FirstDate), 0, int.MaxValue));
        Assert.All(dates, d => Assert.InRange(string.CompareOrdinal(d, LastDate), int.MinValue, 0));
        Assert.All(dates, d => Assert.True(DateOnly.TryParseExact(d, "yyyy-MM-dd", out _), d));
        Assert.True(Year(2005) > Year(2004) && Year(2004) > Year(2003) && Year(2003) > Year(2001), "rating volume does not grow");
    }

    [Fact]
    public void Probe_Tiny_PairsStayInTraining()
    {
        var training = Training.Select(r => (r.Movie, r.Customer)).ToHashSet();

        Assert.NotEmpty(tiny.Files.Probe);
        Assert.All(tiny.Files.Probe, pair => Assert.Contains(pair, training));
        Assert.Equal(tiny.Files.Probe.Count, tiny.Files.Probe.Distinct().Count());
    }

    [Fact]
    public void Qualifying_Tiny_PairsAreRemovedFromTraining()
    {
        var training = Training.Select(r => (r.Movie, r.Customer)).ToHashSet();
        var probe = tiny.Files.Probe.ToHashSet();

        Assert.NotEmpty(tiny.Files.Qualifying);
        Assert.All(tiny.Files.Qualifying, q => Assert.DoesNotContain((q.Movie, q.Customer), training));
        Assert.All(tiny.Files.Qualifying, q => Assert.DoesNotContain((q.Movie, q.Customer), probe));
        Assert.Equal(tiny.Files.Qualifying.Count, tiny.Files.Qualifying.Select(q => (q.Movie, q.Customer)).Distinct().Count());
    }

    [Fact]
    public void HeldOutCustomers_Tiny_KeepTrainingRatingsOutsideProbe()
    {
        var probe = tiny.Files.Probe.ToHashSet();
        var keptOutsideProbe = Training.Where(r => !probe.Contains((r.Movie, r.Customer))).Select(r => r.Customer).ToHashSet();

        Assert.All(tiny.Files.Probe, p => Assert.Contains(p.Customer, keptOutsideProbe));
        Assert.All(tiny.Files.Qualifying, q => Assert.Contains(q.Customer, keptOutsideProbe));
    }

    /// <summary>
    /// For every customer, each held-out rating (probe or qualifying) is dated on or after every one of that customer's
    /// training ratings that is not a probe pair: the hold-out is the customer's latest ratings.
    /// </summary>
    [Fact]
    public void HeldOut_Tiny_AreEachCustomersLatestRatings()
    {
        var probe = tiny.Files.Probe.ToHashSet();
        var trainingDate = Training.ToDictionary(r => (r.Movie, r.Customer), r => r.Date);
        IEnumerable<(int Customer, string Date)> heldOut =
            tiny.Files.Probe.Select(p => (p.Customer, trainingDate[p])).Concat(tiny.Files.Qualifying.Select(q => (q.Customer, q.Date)));
        Dictionary<int, string> latestKept = Training.Where(r => !probe.Contains((r.Movie, r.Customer)))
            .GroupBy(r => r.Customer).ToDictionary(g => g.Key, g => g.Select(r => r.Date).Max(StringComparer.Ordinal)!);

        Assert.All(heldOut, h => Assert.True(string.CompareOrdinal(h.Date, latestKept[h.Customer]) >= 0,
            $"customer {h.Customer}: held-out {h.Date} before kept {latestKept[h.Customer]}"));
    }

    [Fact]
    public void HeldOut_Tiny_HasPrizeProportions()
    {
        int probe = tiny.Files.Probe.Count;
        int qualifying = tiny.Files.Qualifying.Count;
        int all = Training.Count + qualifying;
        int mostPerCustomer = tiny.Files.Probe.Select(p => p.Customer).Concat(tiny.Files.Qualifying.Select(q => q.Customer))
            .GroupBy(c => c).Max(g => g.Count());

        Assert.InRange((probe + qualifying) / (double)all, 0.03, 0.055);
        Assert.InRange(probe / (double)(probe + qualifying), 0.25, 0.42);
        Assert.InRange(mostPerCustomer, 1, 9);
    }

    [Fact]
    public void Oracle_Tiny_CoversProbeAndBeatsTheGlobalMean()
    {
        var probe = tiny.Files.Probe.ToHashSet();
        var stars = Training.ToDictionary(r => (r.Movie, r.Customer), r => r.Stars);
        double globalMean = Training.Where(r => !probe.Contains((r.Movie, r.Customer))).Average(r => r.Stars);

        double oracleRmse = Rmse(tiny.Files.Oracle.Select(o => o.Expected - stars[(o.Movie, o.Customer)]));
        double meanRmse = Rmse(tiny.Files.Probe.Select(p => globalMean - stars[p]));

        Assert.Equal(tiny.Files.Probe, tiny.Files.Oracle.Select(o => (o.Movie, o.Customer)));
        Assert.All(tiny.Files.Oracle, o => Assert.InRange(o.Expected, 1.0, 5.0));
        Assert.True(oracleRmse < 0.85 * meanRmse, $"oracle RMSE {oracleRmse:F3}, global-mean RMSE {meanRmse:F3}");
    }

    [Fact]
    public void Titles_Tiny_AreLatin1WithCommasAndANullYear()
    {
        byte[] bytes = tiny.Files.TitleBytes;
        string[] lines = Encoding.Latin1.GetString(bytes).Split('\n');

        // Latin-1 letters are single bytes ≥ 0x80, which are not valid UTF-8 on their own.
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes));
        Assert.DoesNotContain((byte)'\r', bytes);
        Assert.Equal(string.Empty, lines[^1]);
        string[][] fields = lines[..^1].Select(line => line.Split(',', 3)).ToArray();
        Assert.Equal(Enumerable.Range(1, 150).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), fields.Select(f => f[0]));
        Assert.All(fields, f => Assert.True(f[1] == "NULL" || int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) is >= 1896 and <= 2005, f[1]));
        Assert.Contains(fields, f => f[1] == "NULL");
        Assert.Contains(fields, f => f[2].Contains(',', StringComparison.Ordinal));
        Assert.Contains(fields, f => f[2].Any(c => c > '\u007F'));
        Assert.All(fields, f => Assert.False(string.IsNullOrWhiteSpace(f[2])));
    }

    private static double Rmse(IEnumerable<double> errors)
    {
        double[] e = errors.ToArray();
        return Math.Sqrt(e.Sum(x => x * x) / e.Length);
    }
}
