using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="BiasBaseline"/> (defaults in defaults.json).</summary>
public sealed record BiasConfig(
    double UserRegularization,
    double MovieRegularization) : EarlyStoppingOptions;

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
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Require(config.UserRegularization >= 0, Name, "user_regularization", "must not be negative");
        ConfigCheck.Require(config.MovieRegularization >= 0, Name, "movie_regularization", "must not be negative");
        RatingTable train = data.Train;
        float mean = (float)data.GlobalMean;
        var userBias = new float[data.Users];
        var movieBias = new float[data.Movies];
        var userCounts = new int[data.Users];
        var movieCounts = new int[data.Movies];
        foreach (int u in train.Users.Span)
        {
            userCounts[u]++;
        }

        foreach (short m in train.Movies.Span)
        {
            movieCounts[m]++;
        }

        var sums = new double[Math.Max(data.Users, data.Movies)];
        return EpochLoop.Run(config, data, progress, _ =>
        {
            ReadOnlySpan<int> users = train.Users.Span;
            ReadOnlySpan<short> movies = train.Movies.Span;
            ReadOnlySpan<byte> ratings = train.Ratings.Span;
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

            return new EpochOutcome(Build(mean, userBias.ToArray(), movieBias.ToArray()));
        }, model => model);
    }

    public static FactorModel Build(float mean, float[] userBias, float[] movieBias) =>
        new(Name, ModelFamily.Baseline, mean, userBias, movieBias, 0, ReadOnlyMemory<float>.Empty, ReadOnlyMemory<float>.Empty);
}
