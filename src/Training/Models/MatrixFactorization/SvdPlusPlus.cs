using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="SvdPlusPlus"/> (defaults in defaults.json).</summary>
public sealed record SvdPlusPlusConfig(
    int Factors,
    double LearningRate,
    double LearningRateDecay,
    double RegularizationFactors,
    double RegularizationBias,
    double InitStd) : EarlyStoppingOptions;

/// <summary>
/// <c>svdpp</c>: Koren's SVD++, r̂ = μ + b_u + b_i + q_i·(p_u + |N(u)|^−½ Σ_{j∈N(u)} y_j), where N(u) is every movie the
/// user is known to have rated — training ratings plus the probe and qualifying pairs, whose ratings are hidden but whose
/// existence is not (as in the Prize). Trained by SGD user by user: the implicit sum is computed once per user, and the
/// y_j gradient is accumulated over the user's ratings and applied once, which is the standard fast variant. Users are
/// processed in parallel (Hogwild on the shared q and y; one thread is deterministic for a seed). Because N(u) is fixed,
/// the trained model folds the implicit term into p_u and scores as a plain factor model.
/// </summary>
public static class SvdPlusPlus
{
    public const string Name = "svdpp";

    public static TrainedModel Train(TrainingData data, SvdPlusPlusConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Factors(Name, config.Factors, config.RegularizationFactors, config.RegularizationBias, config.InitStd, "init_std");
        ConfigCheck.LearningRate(Name, config.LearningRate, config.LearningRateDecay);
        int k = config.Factors;
        RatingIndex byUser = RatingIndex.ByUser(data.Train, data.Users);
        RatingIndex implicitSets = ImplicitSets(data);
        var random = new Random(config.Seed);
        float[] p = FactorInit.Gaussian(random, data.Users * k, config.InitStd);
        float[] q = FactorInit.Gaussian(random, data.Movies * k, config.InitStd);
        float[] y = new float[data.Movies * k];
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
                var implicitSum = new float[k];
                var implicitGradient = new float[k];
                var userUpdate = new float[k];
                for (int o = worker; o < order.Length; o += threads)
                {
                    TrainUser(order[o], byUser, implicitSets, p, q, y, userBias, movieBias, mean, k, epochRate, config, implicitSum, implicitGradient, userUpdate);
                }
            });
            rate *= (float)config.LearningRateDecay;
            return new EpochOutcome(Fold(data.Users, data.Movies, k, mean, userBias, movieBias, p, q, y, implicitSets));
        }, model => model);
    }

    /// <summary>One SGD pass over one user's ratings.</summary>
    internal static void TrainUser(int user, RatingIndex byUser, RatingIndex implicitSets, float[] p, float[] q, float[] y,
        float[] userBias, float[] movieBias, float mean, int k, float rate, SvdPlusPlusConfig config,
        float[] implicitSum, float[] implicitGradient, float[] userUpdate)
    {
        ReadOnlySpan<int> movies = byUser.ColumnsOf(user);
        if (movies.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<float> ratings = byUser.RatingsOf(user);
        ReadOnlySpan<int> known = implicitSets.ColumnsOf(user);
        float norm = known.IsEmpty ? 0f : 1f / MathF.Sqrt(known.Length);
        Array.Clear(implicitSum);
        foreach (int j in known)
        {
            TensorPrimitives.Add(implicitSum, y.AsSpan(j * k, k), implicitSum);
        }

        TensorPrimitives.Multiply(implicitSum, norm, implicitSum);
        Array.Clear(implicitGradient);
        Span<float> pu = p.AsSpan(user * k, k);
        float regF = (float)config.RegularizationFactors, regB = (float)config.RegularizationBias;
        for (int r = 0; r < movies.Length; r++)
        {
            int movie = movies[r];
            Span<float> qi = q.AsSpan(movie * k, k);
            // z = p_u + implicit sum; the prediction uses z, the updates use the error at z.
            TensorPrimitives.Add(pu, implicitSum, userUpdate);
            float error = ratings[r] - (mean + userBias[user] + movieBias[movie] + TensorPrimitives.Dot(userUpdate, qi));
            userBias[user] += rate * (error - (regB * userBias[user]));
            movieBias[movie] += rate * (error - (regB * movieBias[movie]));
            // Implicit gradient: error · q_i · |N(u)|^−½, applied to every y_j after the user's ratings.
            TensorPrimitives.MultiplyAdd(qi, error * norm, implicitGradient, implicitGradient);
            for (int f = 0; f < k; f++)
            {
                float pf = pu[f], qf = qi[f];
                pu[f] += rate * ((error * qf) - (regF * pf));
                qi[f] += rate * ((error * userUpdate[f]) - (regF * qf));
            }
        }

        // The per-rating shrinkage of y_j summed over the user's n ratings, capped so heavy users cannot flip its sign.
        float shrink = 1f - MathF.Min(1f, rate * regF * movies.Length);
        foreach (int j in known)
        {
            Span<float> yj = y.AsSpan(j * k, k);
            TensorPrimitives.Multiply(yj, shrink, yj);
            TensorPrimitives.MultiplyAdd(implicitGradient, rate, yj, yj);
        }
    }

    /// <summary>N(u) for every user: movies of the training, validation and implicit-only pairs, without repeats.</summary>
    internal static RatingIndex ImplicitSets(TrainingData data)
    {
        RatingTable all = data.Train.Concat(data.Validation).Concat(new RatingTable(
            data.ImplicitOnly.Users, data.ImplicitOnly.Movies, new byte[data.ImplicitOnly.Count], data.ImplicitOnly.Days));
        RatingIndex index = RatingIndex.ByUser(all, data.Users);
        // Drop repeated movies within a user (a pair can appear in more than one source only if the data repeats it).
        var offsets = new long[index.Rows + 1];
        var columns = new List<int>(index.Columns.Length);
        for (int u = 0; u < index.Rows; u++)
        {
            ReadOnlySpan<int> movies = index.ColumnsOf(u);
            for (int i = 0; i < movies.Length; i++)
            {
                if (i == 0 || movies[i] != movies[i - 1])
                {
                    columns.Add(movies[i]);
                }
            }

            offsets[u + 1] = columns.Count;
        }

        return new RatingIndex(offsets, columns.ToArray(), new float[columns.Count]);
    }

    /// <summary>The scoring model: p_u + |N(u)|^−½ Σ y_j folded into one user factor.</summary>
    internal static FactorModel Fold(int users, int movies, int k, float mean, float[] userBias, float[] movieBias, float[] p, float[] q, float[] y,
        RatingIndex implicitSets)
    {
        var folded = new float[users * k];
        Parallel.For(0, users, u =>
        {
            Span<float> target = folded.AsSpan(u * k, k);
            p.AsSpan(u * k, k).CopyTo(target);
            ReadOnlySpan<int> known = implicitSets.ColumnsOf(u);
            if (known.IsEmpty)
            {
                return;
            }

            float norm = 1f / MathF.Sqrt(known.Length);
            foreach (int j in known)
            {
                TensorPrimitives.MultiplyAdd(y.AsSpan(j * k, k), norm, target, target);
            }
        });
        return new FactorModel(Name, ModelFamily.MatrixFactorization, mean, userBias.ToArray(), movieBias.ToArray(), k, folded, q.ToArray());
    }
}
