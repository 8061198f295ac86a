using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="NonNegativeMf"/> (defaults in defaults.json).</summary>
public sealed record NonNegativeMfConfig(
    int Factors,
    double LearningRate,
    double LearningRateDecay,
    double RegularizationFactors,
    double RegularizationBias,
    double InitHigh) : EarlyStoppingOptions;

/// <summary>
/// <c>nmf</c>: r̂ = μ + b_u + b_i + p_u·q_i with non-negative factors p, q ≥ 0, fitted by projected SGD: each step is the
/// biased-MF gradient step followed by a projection onto the non-negative orthant (negative entries set to 0). The biases
/// carry the signed part of the signal, so the factors only add parts-based, interpretable tastes — and the model keeps
/// the baseline's accuracy, which unbiased multiplicative-update NMF on sparse ratings does not. Users are processed in
/// parallel (Hogwild on the shared q; one thread is deterministic for a seed).
/// </summary>
public static class NonNegativeMf
{
    public const string Name = "nmf";

    public static TrainedModel Train(TrainingData data, NonNegativeMfConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Factors(Name, config.Factors, config.RegularizationFactors, config.RegularizationBias, config.InitHigh, "init_high");
        ConfigCheck.LearningRate(Name, config.LearningRate, config.LearningRateDecay);
        int k = config.Factors;
        RatingIndex byUser = RatingIndex.ByUser(data.Train, data.Users);
        var random = new Random(config.Seed);
        float[] p = FactorInit.Uniform(random, data.Users * k, config.InitHigh);
        float[] q = FactorInit.Uniform(random, data.Movies * k, config.InitHigh);
        var userBias = new float[data.Users];
        var movieBias = new float[data.Movies];
        float mean = (float)data.GlobalMean;
        int threads = TrainingThreads.Resolve(config.Threads);
        int[] order = [.. Enumerable.Range(0, data.Users)];
        float rate = (float)config.LearningRate;
        return EpochLoop.Run(config, data, progress, _ =>
        {
            random.Shuffle(order);
            float epochRate = rate;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
            {
                for (int o = worker; o < order.Length; o += threads)
                {
                    TrainUser(order[o], byUser, p, q, userBias, movieBias, mean, k, epochRate, (float)config.RegularizationFactors, (float)config.RegularizationBias);
                }
            });
            rate *= (float)config.LearningRateDecay;
            return new EpochOutcome(Build(mean, userBias, movieBias, k, p, q));
        }, FactorInit.Copy);
    }

    /// <summary>Projected SGD over one user's ratings: the factors never leave the non-negative orthant.</summary>
    internal static void TrainUser(int user, RatingIndex byUser, float[] p, float[] q, float[] userBias, float[] movieBias,
        float mean, int k, float rate, float regFactors, float regBias)
    {
        ReadOnlySpan<int> movies = byUser.ColumnsOf(user);
        ReadOnlySpan<float> ratings = byUser.RatingsOf(user);
        Span<float> pu = p.AsSpan(user * k, k);
        for (int r = 0; r < movies.Length; r++)
        {
            int movie = movies[r];
            Span<float> qi = q.AsSpan(movie * k, k);
            float error = ratings[r] - (mean + userBias[user] + movieBias[movie] + System.Numerics.Tensors.TensorPrimitives.Dot(pu, qi));
            userBias[user] += rate * (error - (regBias * userBias[user]));
            movieBias[movie] += rate * (error - (regBias * movieBias[movie]));
            for (int f = 0; f < k; f++)
            {
                float pf = pu[f], qf = qi[f];
                pu[f] = MathF.Max(0f, pf + (rate * ((error * qf) - (regFactors * pf))));
                qi[f] = MathF.Max(0f, qf + (rate * ((error * pf) - (regFactors * qf))));
            }
        }
    }

    private static FactorModel Build(float mean, float[] userBias, float[] movieBias, int k, float[] p, float[] q) =>
        new(Name, ModelFamily.MatrixFactorization, mean, userBias, movieBias, k, p, q);
}
