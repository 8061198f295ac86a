using System.Text.Json.Nodes;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

[Collection(TorchCollection.Name)]
public sealed class MfModelsTests
{
    [Fact]
    public void AlsSolveRow_SmallProblem_SolvesTheNormalEquations()
    {
        // Features F (n × d, last column the constant 1), targets t, λ on factors and bias: (FᵀF + Λ) x = Fᵀ t.
        const int N = 7, D = 4;
        var random = new Random(3);
        double[,] f = new double[N, D];
        double[] t = new double[N];
        var work = new BiasedMfAls.AlsWorkspace(D);
        work.Prepare(N);
        for (int j = 0; j < N; j++)
        {
            for (int a = 0; a < D; a++)
            {
                f[j, a] = a == D - 1 ? 1 : Math.Round(random.NextDouble() - 0.5, 3);
                work.Features[(a * N) + j] = (float)f[j, a];
            }

            t[j] = Math.Round(random.NextDouble() * 4 - 2, 3);
            work.Targets[j] = (float)t[j];
        }

        BiasedMfAls.SolveRow(work, N, D, lambdaFactors: 0.7, lambdaBias: 0.2);

        // Residual of the normal equations with the solution plugged in.
        for (int i = 0; i < D; i++)
        {
            double lhs = (i < D - 1 ? 0.7 : 0.2) * work.Solution[i], rhs = 0;
            for (int j = 0; j < N; j++)
            {
                double fx = 0;
                for (int a = 0; a < D; a++)
                {
                    fx += f[j, a] * work.Solution[a];
                }

                lhs += f[j, i] * fx;
                rhs += f[j, i] * t[j];
            }

            Assert.Equal(rhs, lhs, 1e-4);
        }
    }

    [Fact]
    public void Cholesky_KnownSystem_MatchesDirectSolution()
    {
        // A = [[4,2],[2,3]], b = [2, 1] → x = [0.5, 0].
        double[] a = [4, 2, 2, 3];
        double[] b = [2, 1];

        Cholesky.SolveInPlace(a, b, 2);

        Assert.Equal(0.5, b[0], 1e-12);
        Assert.Equal(0.0, b[1], 1e-12);
    }

    [Fact]
    public void Als_LowRankNoiselessMatrix_RecoversHeldOutEntries()
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 60, movies: 40, rank: 2, observed: 0.8, seed: 5);
        var config = new BiasedMfAlsConfig(Factors: 6, RegularizationFactors: 0.001, RegularizationBias: 0.001, InitStd: 0.1)
        {
            MaxEpochs = 30, Patience = 0, ValidationFraction = 0, Seed = 1, Threads = 1,
        };

        TrainedModel trained = BiasedMfAls.Train(data, config, MfFixtures.NoProgress);

        // Stars are rounded, so the matrix is low rank up to ±0.5 rounding; held-out error must be far below a bias model's.
        double rmse = RatingMetrics.Rmse(trained.Model, heldOut);
        double biasRmse = RatingMetrics.Rmse(BiasBaseline.Train(data, ModelConfig.Bind<BiasConfig>(ModelConfig.Defaults("bias"), "test"), MfFixtures.NoProgress).Model, heldOut);
        Assert.True(rmse < 0.45, $"ALS held-out RMSE {rmse}");
        Assert.True(rmse < biasRmse * 0.75, $"ALS {rmse} vs bias {biasRmse}");
    }

    [Fact]
    public void TorchReference_LowRankMatrix_LearnsFarBetterThanBias()
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 60, movies: 40, rank: 2, observed: 0.8, seed: 4);
        TorchBiasedMfConfig config = ModelConfig.Bind<TorchBiasedMfConfig>(ModelConfig.Merge("biased-mf-torch", new JsonObject
        {
            ["max_epochs"] = 150, ["batch_size"] = 256, ["learning_rate"] = 0.03, ["init_std"] = 0.1, ["regularization_factors"] = 0.0001,
            ["regularization_bias"] = 0.0001, ["threads"] = 1, ["patience"] = 0,
        }), "test");

        TrainedModel trained = TorchBiasedMf.Train(data, config, MfFixtures.NoProgress);

        double rmse = RatingMetrics.Rmse(trained.Model, heldOut);
        Assert.True(rmse < 0.45, $"torch reference held-out RMSE {rmse}");
        Assert.True(trained.Curve[^1].TrainRmse < trained.Curve[0].TrainRmse);
    }

    [Fact]
    public void Nmf_Trained_FactorsStayNonNegative()
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 50, movies: 30, rank: 3, observed: 0.7, seed: 9);
        NonNegativeMfConfig config = ModelConfig.Bind<NonNegativeMfConfig>(
            ModelConfig.Merge("nmf", new JsonObject { ["max_epochs"] = 15, ["threads"] = 1, ["init_high"] = 0.5, ["learning_rate"] = 0.05 }), "test");

        var model = (FactorModel)NonNegativeMf.Train(data, config, MfFixtures.NoProgress).Model;

        Assert.All(model.UserFactors.ToArray(), v => Assert.True(v >= 0));
        Assert.All(model.MovieFactors.ToArray(), v => Assert.True(v >= 0));
        Assert.Contains(model.MovieFactors.ToArray(), v => v > 0);
    }

    [Fact]
    public void SvdPlusPlus_ImplicitSets_IncludeTrainValidationAndHiddenPairsOnce()
    {
        var train = MfFixtures.Table([(0, 1, 4), (0, 2, 3), (1, 0, 5)]);
        var validation = MfFixtures.Table([(0, 3, 2)]);
        var hidden = new QueryTable(new[] { 0, 1, 0 }, new short[] { 4, 2, 1 }, new short[3]);
        var data = new TrainingData(train, validation, 2, 5, 4, hidden, "test");

        RatingIndex sets = SvdPlusPlus.ImplicitSets(data);

        Assert.Equal([1, 2, 3, 4], sets.ColumnsOf(0).ToArray());
        Assert.Equal([0, 2], sets.ColumnsOf(1).ToArray());
    }

    [Theory]
    [InlineData("bias")]
    [InlineData("biased-mf")]
    [InlineData("biased-mf-torch")]
    [InlineData("biased-mf-als")]
    [InlineData("svdpp")]
    [InlineData("nmf")]
    [InlineData("time-bias")]
    [InlineData("timesvdpp")]
    public void SaveThenLoad_TrainedModel_PredictsExactlyTheSame(string name)
    {
        (TrainingData data, RatingTable heldOut) = MfFixtures.LowRank(users: 30, movies: 20, rank: 2, observed: 0.7, seed: 2);
        JsonObject hyper = ModelConfig.Merge(name, new JsonObject { ["max_epochs"] = 3, ["threads"] = 1 });
        ModelEntry entry = ModelCatalog.Find(name);
        TrainedModel trained = entry.Train(data, entry.Bind(hyper, "test"), MfFixtures.NoProgress);
        using var dir = new TempDirectory();
        string path = dir.Combine("model");

        ModelStore.Save(path, trained.Model, ModelStore.ManifestFor(trained, data, 1.0, new Dictionary<string, long>(), "test"));
        (IRatingModel loaded, Contracts.ModelManifest manifest) = ModelStore.Load(path);

        Assert.Equal(name, manifest.Name);
        Assert.Equal(RatingMetrics.PredictClipped(trained.Model, heldOut), RatingMetrics.PredictClipped(loaded, heldOut));
        var before = new float[2 * data.Movies];
        var after = new float[2 * data.Movies];
        trained.Model.ScoreAll([0, 7], before);
        loaded.ScoreAll([0, 7], after);
        Assert.Equal(before, after);
    }

    [Fact]
    public void Load_MissingTensor_NamesFileAndTensor()
    {
        using var dir = new TempDirectory();
        string weights = dir.Combine("weights.safetensors");
        SafeTensors.Write(weights, [NamedTensor.Vector("global_mean", new[] { 3.6f })]);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => FactorModel.FromTensors("bias", "baseline", SafeTensors.Read(weights), weights));

        Assert.Contains(weights, error.Message, StringComparison.Ordinal);
        Assert.Contains("'user_factors'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_UnknownField_NamesTheField()
    {
        JsonObject hyper = ModelConfig.Merge("bias", new JsonObject { ["learning_rat"] = 0.1 });

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelConfig.Bind<BiasConfig>(hyper, "my.json"));

        Assert.Contains("my.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning_rat", error.Message, StringComparison.Ordinal);
    }
}
