using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="BiasBaseline"/> (defaults in defaults.json).</summary>
public sealed record BiasConfig(
    double UserRegularization,
    double MovieRegularization,
    int MaxEpochs,
    int Patience,
    double ValidationFraction,
    int Seed,
    int Threads) : ITrainingOptions;

/// <summary>
/// Koren's baseline predictor r̂ = μ + b_u + b_i with regularized biases, fitted by alternating exact coordinate
/// updates: b_i = Σ(r − μ − b_u) / (λ_i + n_i), then b_u = Σ(r − μ − b_i) / (λ_u + n_u). Each sweep solves one side exactly,
/// so the regularized squared error never increases.
/// </summary>
public static class BiasBaseline
{
    public const string Name = "bias";

    public static TrainedModel Train(TrainingData data, BiasConfig config, IProgress<EpochRecord> progress)
    {
        RatingTable train = data.Train;
        ReadOnlySpan<int> users = train.Users.Span;
        ReadOnlySpan<short> movies = train.Movies.Span;
        ReadOnlySpan<byte> ratings = train.Ratings.Span;
        float mean = (float)data.GlobalMean;
        var userBias = new float[data.Users];
        var movieBias = new float[data.Movies];
        var userCounts = new int[data.Users];
        var movieCounts = new int[data.Movies];
        for (int i = 0; i < users.Length; i++)
        {
            userCounts[users[i]]++;
            movieCounts[movies[i]]++;
        }

        var sums = new double[Math.Max(data.Users, data.Movies)];
        var curve = new List<EpochRecord>();
        var stopping = new EarlyStopping<FactorModel>(config.Patience);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int epoch = 1; epoch <= config.MaxEpochs; epoch++)
        {
            Array.Clear(sums);
            for (int i = 0; i < users.Length; i++)
            {
                sums[movies[i]] += ratings[i] - mean - userBias[users[i]];
            }

            for (int m = 0; m < movieBias.Length; m++)
            {
                movieBias[m] = (float)(sums[m] / (config.MovieRegularization + movieCounts[m]));
            }

            Array.Clear(sums);
            for (int i = 0; i < users.Length; i++)
            {
                sums[users[i]] += ratings[i] - mean - movieBias[movies[i]];
            }

            for (int u = 0; u < userBias.Length; u++)
            {
                userBias[u] = (float)(sums[u] / (config.UserRegularization + userCounts[u]));
            }

            FactorModel model = Build(mean, userBias.ToArray(), movieBias.ToArray());
            double seconds = clock.Elapsed.TotalSeconds;
            var record = new EpochRecord(epoch, RatingMetrics.Rmse(model, train), RatingMetrics.Rmse(model, data.Validation), seconds);
            curve.Add(record);
            progress.Report(record);
            bool stop = stopping.Observe(epoch, record.ValidationRmse, () => model);
            clock.Restart();
            if (stop)
            {
                break;
            }
        }

        return new TrainedModel(stopping.Best!, curve, stopping.BestEpoch, ModelConfig.ToJson(config));
    }

    public static FactorModel Build(float mean, float[] userBias, float[] movieBias) =>
        new(Name, ModelFamily.Baseline, mean, userBias, movieBias, 0, ReadOnlyMemory<float>.Empty, ReadOnlyMemory<float>.Empty);
}
