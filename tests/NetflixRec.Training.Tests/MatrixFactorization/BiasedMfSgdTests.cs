using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Tests.MatrixFactorization;

public sealed class BiasedMfSgdTests
{
    private static readonly IProgress<EpochRecord> s_quiet = new Progress<EpochRecord>(_ => { });

    [Theory]
    [InlineData(16)]
    [InlineData(48)]
    [InlineData(64)]
    public void Update_OneRating_EqualsGradientStepOfRegularizedLoss(int factors)
    {
        var random = new Random(factors);
        float[] p = [.. Enumerable.Range(0, factors).Select(_ => (float)(random.NextDouble() - 0.5))];
        float[] q = [.. Enumerable.Range(0, factors).Select(_ => (float)(random.NextDouble() - 0.5))];
        float userBias = 0.3f, movieBias = -0.2f, residual = 1.1f;
        var step = new SgdStep(0.05f, 0.1f, 0.02f);

        // θ = [p, q, b_u, b_i]; the loss of one rating, in double, differentiated by central differences.
        double[] theta = [.. p.Select(v => (double)v), .. q.Select(v => (double)v), userBias, movieBias];
        double Loss(double[] t)
        {
            double dot = 0, squares = 0;
            for (int f = 0; f < factors; f++)
            {
                dot += t[f] * t[factors + f];
                squares += (t[f] * t[f]) + (t[factors + f] * t[factors + f]);
            }

            double bu = t[2 * factors], bi = t[(2 * factors) + 1];
            double e = residual - bu - bi - dot;
            return (0.5 * e * e) + (0.5 * step.RegularizationFactors * squares) + (0.5 * step.RegularizationBias * ((bu * bu) + (bi * bi)));
        }

        double[] expected = new double[theta.Length];
        const double h = 1e-5;
        for (int j = 0; j < theta.Length; j++)
        {
            double[] plus = (double[])theta.Clone(), minus = (double[])theta.Clone();
            plus[j] += h;
            minus[j] -= h;
            expected[j] = theta[j] - (step.LearningRate * (Loss(plus) - Loss(minus)) / (2 * h));
        }

        float[] paddedP = [.. p, .. new float[SgdKernel.Stride(factors) - factors]];
        float[] paddedQ = [.. q, .. new float[SgdKernel.Stride(factors) - factors]];
        SgdKernel.Update(paddedP, paddedQ, ref userBias, ref movieBias, residual, step, SimdWidths.Best);

        double[] actual = [.. paddedP.Take(factors).Select(v => (double)v), .. paddedQ.Take(factors).Select(v => (double)v), userBias, movieBias];
        for (int j = 0; j < theta.Length; j++)
        {
            Assert.True(Math.Abs(actual[j] - expected[j]) < 2e-6, $"parameter {j}: kernel {actual[j]}, finite difference {expected[j]}");
        }
    }

    [Fact]
    public void Train_ExactlyLowRankMatrix_RecoversHeldOutEntries()
    {
        // r = 1 + c_u + a_u·b_i with binary a_u, b_i ∈ {0,1}³ and c_u ∈ {0,1}: exactly μ + b_u + b_i + p_u·q_i with k = 3.
        const int users = 60, movies = 40;
        var random = new Random(7);
        int[][] a = [.. Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(2)).ToArray())];
        int[][] b = [.. Enumerable.Range(0, movies).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(2)).ToArray())];
        var train = new List<(int User, short Movie, byte Rating)>();
        var heldOut = new List<(int User, short Movie, byte Rating)>();
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < movies; i++)
            {
                byte rating = (byte)(1 + (u % 2) + a[u].Zip(b[i], (x, y) => x * y).Sum());
                (random.NextDouble() < 0.1 ? heldOut : train).Add((u, (short)i, rating));
            }
        }

        BiasedMfConfig config = Config() with
        {
            Factors = 3,
            LearningRate = 0.03,
            LearningRateDecay = 0.995,
            RegularizationFactors = 0,
            RegularizationBias = 0,
            InitStd = 0.3,
            MaxEpochs = 150,
            Patience = 0,
        };
        TrainedModel trained = BiasedMfSgd.Train(DataOf(Table(train), users, movies), config, s_quiet);

        double rmse = RatingMetrics.Rmse(trained.Model, Table(heldOut));
        Assert.True(rmse < 0.05, $"held-out RMSE {rmse}");
    }

    [Fact]
    public void Train_OneThreadSameSeed_IdenticalFactors()
    {
        TrainingData data = DataOf(RandomTable(400, 90, 12_000, seed: 3), 400, 90);
        BiasedMfConfig config = Config() with { MaxEpochs = 3, Patience = 0 };

        var first = (FactorModel)BiasedMfSgd.Train(data, config, s_quiet).Model;
        var second = (FactorModel)BiasedMfSgd.Train(data, config, s_quiet).Model;
        var otherSeed = (FactorModel)BiasedMfSgd.Train(data, config with { Seed = 2 }, s_quiet).Model;

        Assert.True(first.UserFactors.Span.SequenceEqual(second.UserFactors.Span));
        Assert.True(first.MovieFactors.Span.SequenceEqual(second.MovieFactors.Span));
        Assert.True(first.UserBias.Span.SequenceEqual(second.UserBias.Span));
        Assert.True(first.MovieBias.Span.SequenceEqual(second.MovieBias.Span));
        Assert.False(first.UserFactors.Span.SequenceEqual(otherSeed.UserFactors.Span));
    }

    [Fact]
    public void Train_ValidationSlice_CurveHasOneRecordPerEpochAndKeepsBestEpoch()
    {
        RatingTable all = RandomTable(300, 60, 9_000, seed: 5);
        TrainingData data = TrainingData.Prepare(all, 300, 60, QueryTable.Empty, "test", 0.1, 1);
        BiasedMfConfig config = Config() with { MaxEpochs = 6, Patience = 0 };

        TrainedModel trained = BiasedMfSgd.Train(data, config, s_quiet);

        Assert.Equal(6, trained.Curve.Count);
        Assert.All(trained.Curve, r => Assert.True(r.TrainRmse > 0 && r.ValidationRmse > 0));
        Assert.Equal(trained.Curve.MinBy(r => r.ValidationRmse)!.Epoch, trained.BestEpoch);
        Assert.Equal(trained.Curve.Single(r => r.Epoch == trained.BestEpoch).ValidationRmse, RatingMetrics.Rmse(trained.Model, data.Validation), 1e-6);
    }

    [Fact]
    public void Build_RandomRatings_EveryRatingOnceInDisjointRowsAndColumnsSortedByUser()
    {
        RatingTable table = RandomTable(500, 70, 20_000, seed: 11);
        using SgdGrid grid = SgdGrid.Build(table, 500, 70, 5, seed: 4, threads: 3);

        var expected = new List<(int, int, int)>();
        for (int i = 0; i < table.Count; i++)
        {
            expected.Add((table.Users.Span[i], table.Movies.Span[i], table.Ratings.Span[i]));
        }

        // Entries carry slots; map them back to indices.
        int[] userOf = new int[500], movieOf = new int[70];
        for (int u = 0; u < 500; u++)
        {
            userOf[grid.UserSlots.Span[u]] = u;
        }

        for (int m = 0; m < 70; m++)
        {
            movieOf[grid.MovieSlots.Span[m]] = m;
        }

        var packed = new List<(int, int, int)>();
        var rowOfUser = new Dictionary<int, int>();
        var columnOfMovie = new Dictionary<int, int>();
        for (int block = 0; block < grid.BlockCount; block++)
        {
            int previous = -1;
            foreach (SgdEntry entry in grid.Block(block))
            {
                packed.Add((userOf[entry.User], movieOf[entry.Movie], entry.Rating));
                Assert.Equal(block / grid.Side, rowOfUser.GetValueOrDefault(entry.User, block / grid.Side));
                Assert.Equal(block % grid.Side, columnOfMovie.GetValueOrDefault(entry.Movie, block % grid.Side));
                rowOfUser[entry.User] = block / grid.Side;
                columnOfMovie[entry.Movie] = block % grid.Side;
                Assert.True(entry.User >= previous, $"block {block} is not sorted by user slot");
                previous = entry.User;
            }
        }

        Assert.Equal(expected.Order(), packed.Order());
    }

    [Fact]
    public void Build_UserOutOfRange_ThrowsNamingTheRating()
    {
        RatingTable table = RandomTable(100, 20, 1_000, seed: 2);
        int[] users = table.Users.ToArray();
        users[700] = 100;

        ArgumentException error = Assert.Throws<ArgumentException>(() =>
            SgdGrid.Build(table with { Users = users }, 100, 20, 3, seed: 1, threads: 2).Dispose());

        Assert.Contains("rating 700", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_FourThreads_EachBlockOncePerEpochAndNoSharedRowOrColumn()
    {
        const int side = 6;
        var scheduler = new SgdScheduler(side);
        var rowsInUse = new int[side];
        var columnsInUse = new int[side];
        int conflicts = 0;
        for (int epoch = 0; epoch < 5; epoch++)
        {
            var taken = new int[side * side];
            scheduler.BeginEpoch(epoch);
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
            {
                for (int block = scheduler.Next(-1); block >= 0;)
                {
                    Interlocked.Increment(ref taken[block]);
                    if (Interlocked.Increment(ref rowsInUse[block / side]) > 1 | Interlocked.Increment(ref columnsInUse[block % side]) > 1)
                    {
                        Interlocked.Increment(ref conflicts);
                    }

                    Thread.SpinWait(2000);
                    Interlocked.Decrement(ref rowsInUse[block / side]);
                    Interlocked.Decrement(ref columnsInUse[block % side]);
                    block = scheduler.Next(block);
                }
            });
            Assert.All(taken, count => Assert.Equal(1, count));
        }

        Assert.Equal(0, conflicts);
    }

    [Fact]
    public void RunEpoch_FourThreads_UpdatesEveryRatingOnce()
    {
        RatingTable table = RandomTable(800, 120, 30_000, seed: 13);
        using SgdEngine engine = SgdEngine.Create(table, 800, 120, 3.5f, 8, 0.1f, gridSide: 7, threads: 4, seed: 1);

        for (int epoch = 1; epoch <= 3; epoch++)
        {
            SgdPass pass = engine.RunEpoch(epoch, new SgdStep(0.01f, 0.02f, 0.01f));
            Assert.Equal(table.Count, pass.Updates);
            Assert.True(double.IsFinite(pass.TrainRmse));
        }
    }

    [Fact]
    public void Defaults_BiasedMf_BindToAValidConfig()
    {
        BiasedMfConfig config = Config();

        BiasedMfSgd.Validate(config);
        Assert.Equal(64, config.Factors);
    }

    private static BiasedMfConfig Config() =>
        ModelConfig.Bind<BiasedMfConfig>(ModelConfig.Defaults(BiasedMfSgd.Name), "defaults") with { Threads = 1, ValidationFraction = 0 };

    private static TrainingData DataOf(RatingTable train, int users, int movies) =>
        new(train, RatingTable.Empty, users, movies, RatingStatistics.MeanOf(train), QueryTable.Empty, "test");

    private static RatingTable Table(List<(int User, short Movie, byte Rating)> rows) =>
        new(rows.Select(r => r.User).ToArray(), rows.Select(r => r.Movie).ToArray(), rows.Select(r => r.Rating).ToArray(), new short[rows.Count]);

    /// <summary>Distinct random (user, movie) pairs with ratings 1–5.</summary>
    private static RatingTable RandomTable(int users, int movies, int count, int seed)
    {
        var random = new Random(seed);
        var pairs = new HashSet<(int, short)>();
        while (pairs.Count < count)
        {
            pairs.Add((random.Next(users), (short)random.Next(movies)));
        }

        return Table([.. pairs.Select(p => (p.Item1, p.Item2, (byte)random.Next(1, 6)))]);
    }
}
