using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="BiasedMfAls"/> (defaults in defaults.json).</summary>
public sealed record BiasedMfAlsConfig(
    int Factors,
    double RegularizationFactors,
    double RegularizationBias,
    double InitStd) : EarlyStoppingOptions;

/// <summary>
/// <c>biased-mf-als</c>: the same model as <c>biased-mf</c> (r̂ = μ + b_u + b_i + p_u·q_i) trained by alternating least
/// squares with weighted-λ regularization (ALS-WR, Zhou et al. 2008). Each half-epoch fixes one side and solves, for every
/// user (then every movie), the ridge problem over its ratings exactly: unknowns [p_u, b_u], features [q_i, 1], target
/// r − μ − b_i, penalty λ·n_u on p_u and λ_b·n_u on b_u. Each solve is a Cholesky factorization of a (k+1)² system.
/// </summary>
public static class BiasedMfAls
{
    public const string Name = "biased-mf-als";

    public static TrainedModel Train(TrainingData data, BiasedMfAlsConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Factors(Name, config.Factors, config.RegularizationFactors, config.RegularizationBias, config.InitStd, "init_std");
        int k = config.Factors;
        var byUser = RatingIndex.ByUser(data.Train, data.Users);
        var byMovie = RatingIndex.ByMovie(data.Train, data.Movies);
        float mean = (float)data.GlobalMean;
        var random = new Random(config.Seed);
        float[] userFactors = FactorInit.Gaussian(random, (long)data.Users * k, config.InitStd);
        float[] movieFactors = FactorInit.Gaussian(random, (long)data.Movies * k, config.InitStd);
        var userBias = new float[data.Users];
        var movieBias = new float[data.Movies];
        var options = new ParallelOptions { MaxDegreeOfParallelism = TrainingThreads.Resolve(config.Threads) };
        return EpochLoop.Run(config, data, progress, _ =>
        {
            SolveSide(byUser, movieFactors, movieBias, userFactors, userBias, mean, k, config, options);
            SolveSide(byMovie, userFactors, userBias, movieFactors, movieBias, mean, k, config, options);
            return new EpochOutcome(Build(mean, userBias, movieBias, k, userFactors, movieFactors));
        }, FactorInit.Copy);
    }

    private static FactorModel Build(float mean, float[] userBias, float[] movieBias, int k, float[] userFactors, float[] movieFactors) =>
        new(Name, ModelFamily.MatrixFactorization, mean, userBias, movieBias, k, userFactors, movieFactors);

    /// <summary>Solves every row of <paramref name="index"/> for its factors and bias, the other side fixed.</summary>
    internal static void SolveSide(RatingIndex index, float[] otherFactors, float[] otherBias, float[] factors, float[] bias,
        float mean, int k, BiasedMfAlsConfig config, ParallelOptions options)
    {
        int d = k + 1;
        Parallel.For(0, index.Rows, options, () => new AlsWorkspace(d), (row, _, work) =>
        {
            ReadOnlySpan<int> columns = index.ColumnsOf(row);
            ReadOnlySpan<float> ratings = index.RatingsOf(row);
            Span<float> solution = factors.AsSpan(row * k, k);
            if (columns.Length == 0)
            {
                solution.Clear();
                bias[row] = 0;
                return work;
            }

            work.Prepare(columns.Length);
            // Feature columns are stored transposed (feature-major) so each Gram entry is one contiguous dot product.
            for (int j = 0; j < columns.Length; j++)
            {
                int c = columns[j];
                ReadOnlySpan<float> f = otherFactors.AsSpan(c * k, k);
                for (int a = 0; a < k; a++)
                {
                    work.Features[(a * columns.Length) + j] = f[a];
                }

                work.Features[(k * columns.Length) + j] = 1f;
                work.Targets[j] = ratings[j] - mean - otherBias[c];
            }

            SolveRow(work, columns.Length, d, config.RegularizationFactors * columns.Length, config.RegularizationBias * columns.Length);
            for (int a = 0; a < k; a++)
            {
                solution[a] = (float)work.Solution[a];
            }

            bias[row] = (float)work.Solution[k];
            return work;
        }, _ => { });
    }

    /// <summary>Builds (FᵀF + Λ) x = Fᵀt from the workspace's features and solves it by Cholesky.</summary>
    internal static void SolveRow(AlsWorkspace work, int n, int d, double lambdaFactors, double lambdaBias)
    {
        ReadOnlySpan<float> features = work.Features.AsSpan(0, d * n);
        ReadOnlySpan<float> targets = work.Targets.AsSpan(0, n);
        double[] a = work.Gram;
        for (int i = 0; i < d; i++)
        {
            ReadOnlySpan<float> fi = features.Slice(i * n, n);
            for (int j = 0; j <= i; j++)
            {
                a[(i * d) + j] = TensorPrimitives.Dot(fi, features.Slice(j * n, n));
            }

            a[(i * d) + i] += i < d - 1 ? lambdaFactors : lambdaBias;
            work.Solution[i] = TensorPrimitives.Dot(fi, targets);
        }

        Cholesky.SolveInPlace(a, work.Solution, d);
    }

    /// <summary>Per-thread buffers for one row's solve, grown as needed.</summary>
    internal sealed class AlsWorkspace(int d)
    {
        public float[] Features { get; private set; } = new float[d * 64];

        public float[] Targets { get; private set; } = new float[64];

        public double[] Gram { get; } = new double[d * d];

        public double[] Solution { get; } = new double[d];

        public void Prepare(int n)
        {
            if (Targets.Length < n)
            {
                Targets = new float[n * 2];
                Features = new float[d * n * 2];
            }
        }
    }
}
