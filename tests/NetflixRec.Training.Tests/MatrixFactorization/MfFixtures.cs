using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>Small rating problems with known structure for the matrix factorization tests.</summary>
internal static class MfFixtures
{
    /// <summary>
    /// An exactly rank-<paramref name="rank"/> noiseless matrix (values kept inside the star range by construction, stored
    /// as whole stars would lose the structure, so ratings are the rounded values and the targets are exact) split into a
    /// training table and held-out entries.
    /// </summary>
    public static (TrainingData Data, RatingTable HeldOut) LowRank(int users, int movies, int rank, double observed, int seed)
    {
        var random = new Random(seed);
        double[,] p = new double[users, rank], q = new double[movies, rank];
        for (int u = 0; u < users; u++)
        {
            for (int f = 0; f < rank; f++)
            {
                p[u, f] = random.NextDouble();
            }
        }

        for (int m = 0; m < movies; m++)
        {
            for (int f = 0; f < rank; f++)
            {
                q[m, f] = random.NextDouble();
            }
        }

        // Integer stars only come out exact if the product is integral: scale so 1 + 4·(p·q)/rank rounds to itself.
        var trainRows = new List<(int, short, byte)>();
        var testRows = new List<(int, short, byte)>();
        for (int u = 0; u < users; u++)
        {
            for (int m = 0; m < movies; m++)
            {
                double dot = 0;
                for (int f = 0; f < rank; f++)
                {
                    dot += p[u, f] * q[m, f];
                }

                byte star = (byte)Math.Round(1 + (4 * dot / rank));
                (random.NextDouble() < observed ? trainRows : testRows).Add((u, (short)m, star));
            }
        }

        return (Data(trainRows, users, movies), Table(testRows));
    }

    public static TrainingData Data(IReadOnlyList<(int User, short Movie, byte Stars)> rows, int users, int movies)
    {
        RatingTable train = Table(rows);
        return new TrainingData(train, RatingTable.Empty, users, movies, RatingStatistics.MeanOf(train), QueryTable.Empty, "test");
    }

    /// <summary>The rows as a table; each rating gets a day spread over about two years (2002–2004), a function of the
    /// user and movie, so time-aware models see many days and bins (the other models ignore days).</summary>
    public static RatingTable Table(IReadOnlyList<(int User, short Movie, byte Stars)> rows) => new(
        rows.Select(r => r.User).ToArray(), rows.Select(r => r.Movie).ToArray(), rows.Select(r => r.Stars).ToArray(),
        rows.Select(r => DayOf(r.User, r.Movie)).ToArray());

    public static short DayOf(int user, short movie) => (short)(11700 + (((user * 37) + (movie * 11)) % 700));

    public static IProgress<EpochRecord> NoProgress { get; } = new Progress<EpochRecord>(_ => { });
}
