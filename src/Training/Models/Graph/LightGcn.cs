using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>Hyperparameters of <see cref="LightGcn"/> (defaults in defaults.json).</summary>
public sealed record LightGcnConfig(
    int Factors,
    int Layers,
    double LearningRate,
    int BatchSize,
    double Regularization,
    double InitStd,
    int PositiveStars,
    int CalibrationSample,
    string Device) : EarlyStoppingOptions;

/// <summary>
/// <c>lightgcn</c> (He et al., 2020): one embedding per user and movie, propagated over the symmetric normalized
/// adjacency of the positive-rating graph (ratings with at least <c>positive_stars</c> stars) without weights or
/// non-linearities, layers averaged, trained with the BPR loss on (user, rated movie, sampled unrated movie) triples.
/// Every step propagates the full graph (one sparse product per layer, forward and backward), so each epoch visits every
/// positive once in large batches. Early stopping watches the validation RMSE of the calibrated score (see
/// <see cref="LightGcnModel"/>): a proxy, since BPR does not fit stars.
/// </summary>
public static class LightGcn
{
    public const string Name = "lightgcn";

    public static TrainedModel Train(TrainingData data, LightGcnConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        using var trainer = new LightGcnTrainer(data, config);
        return EpochLoop.Run(config, data, progress, epoch =>
        {
            trainer.RunEpoch(epoch);
            return new EpochOutcome(trainer.Snapshot());
        }, model => model);
    }

    public static void Validate(LightGcnConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigCheck.Require(config.Factors >= 1, Name, "factors", "must be at least 1");
        ConfigCheck.Require(config.Layers >= 0, Name, "layers", "must not be negative");
        ConfigCheck.Require(config.BatchSize >= 1, Name, "batch_size", "must be at least 1");
        ConfigCheck.Require(config.LearningRate > 0, Name, "learning_rate", "must be positive");
        ConfigCheck.Require(config.CalibrationSample >= 2, Name, "calibration_sample", "must be at least 2");
        ConfigCheck.Require(config.PositiveStars is >= 1 and <= 5, Name, "positive_stars", "must be 1–5 stars");
    }
}

/// <summary>The training state of one LightGCN run: graph, adjacency, embeddings and optimizer; one epoch at a time.</summary>
internal sealed class LightGcnTrainer : IDisposable
{
    // Tries before accepting a rated movie as the negative (only users who rated nearly everything get there).
    private const int NegativeTries = 20;

    private readonly TrainingData _data;
    private readonly LightGcnConfig _config;
    private readonly BipartiteGraph _graph;
    private readonly Device _device;
    private readonly SparseOperator _adjacency;
    private readonly Parameter _embeddings;
    private readonly DenseAdam _optimizer;
    private readonly int[] _edgeUsers;
    private readonly ShuffledBatches _batches;
    private readonly Random _random;
    private readonly RatingTable _calibration;

    public LightGcnTrainer(TrainingData data, LightGcnConfig config)
    {
        LightGcn.Validate(config);
        _data = data;
        _config = config;
        _device = TorchRuntime.Prepare(config.Device, config.Threads, config.Seed);
        _graph = BipartiteGraph.FromRatings(data.Train, data.Users, data.Movies, config.PositiveStars);
        _adjacency = SparseOperator.SymmetricBipartite(NormalizedAdjacency.Symmetric(_graph), _graph.Users, _device, TrainingThreads.Resolve(config.Threads));
        using (torch.no_grad())
        using (torch.Generator init = RunGenerator.Create(config.Seed, _device))
        {
            _embeddings = new Parameter(torch.empty(_graph.Nodes, config.Factors, device: _device).normal_(0, config.InitStd, init));
        }

        _optimizer = new DenseAdam([_embeddings], _device, config.LearningRate);

        // Positive edges are the user rows of the adjacency: edge e belongs to the user whose row holds it.
        ReadOnlySpan<long> offsets = _graph.Adjacency.Offsets.Span;
        long positives = offsets[data.Users];
        _edgeUsers = new int[positives];
        for (int u = 0; u < data.Users; u++)
        {
            _edgeUsers.AsSpan((int)offsets[u], (int)(offsets[u + 1] - offsets[u])).Fill(u);
        }

        _random = new Random(config.Seed);
        _batches = new ShuffledBatches(_edgeUsers.Length, _random, data.Budget);
        _calibration = SampleRows(data.Train, config.CalibrationSample, config.Seed);
    }

    public BipartiteGraph Graph => _graph;

    /// <summary>One pass over every positive edge in shuffled batches; returns the mean BPR loss (without the L2 term).</summary>
    public double RunEpoch(int epoch)
    {
        ReadOnlySpan<int> neighbors = _graph.Adjacency.Columns.Span;
        double lossSum = 0;
        int batchSize = _config.BatchSize;
        // A batch's users, then its positive movies, then its negative movies (node ids).
        var triples = new long[3 * batchSize];
        foreach (ArraySegment<int> batch in _batches.NextEpoch(batchSize))
        {
            int count = batch.Count;

            for (int i = 0; i < count; i++)
            {
                int edge = batch[i];
                int user = _edgeUsers[edge];
                triples[i] = user;
                triples[count + i] = neighbors[edge];
                triples[(2 * count) + i] = SampleNegative(user);
            }

            using DisposeScope scope = torch.NewDisposeScope();
            // One gather of the batch's user, positive and negative rows (and one scatter back in the backward pass,
            // instead of three full-table gradients summed).
            Tensor nodes = TorchRuntime.Int64(triples, 3 * count, _device);
            Tensor rows = LightGcnPropagation.CombineRows(_adjacency, _embeddings, _config.Layers, nodes);
            Tensor eu = rows.narrow(0, 0, count), ep = rows.narrow(0, count, count), en = rows.narrow(0, 2 * count, count);
            Tensor difference = (eu * (ep - en)).sum(1);
            Tensor bpr = -torch.nn.functional.logsigmoid(difference).mean();

            // L2 on the layer-0 embeddings of the batch's nodes, as in the paper.
            Tensor penalty = _embeddings.index_select(0, nodes).square().sum() * (_config.Regularization / (2.0 * count));
            Tensor loss = bpr + penalty;
            _optimizer.Minimize(loss);
            lossSum += bpr.item<float>() * count;
        }

        return lossSum / Math.Max(1, _batches.Count);
    }

    /// <summary>The model as it stands: propagated once, copied out, calibrated on the sample of training ratings.</summary>
    public LightGcnModel Snapshot()
    {
        float[] users, movies;
        using (torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            Tensor final = LightGcnPropagation.Combine(_adjacency, _embeddings, _config.Layers);
            users = TorchRuntime.ToArray(final.narrow(0, 0, _graph.Users));
            movies = TorchRuntime.ToArray(final.narrow(0, _graph.Users, _graph.Movies));
        }

        var raw = new LightGcnModel(_config.Factors, users, movies, 0f, 1f);
        (float intercept, float slope) = FitCalibration(raw, _calibration);
        return new LightGcnModel(_config.Factors, users, movies, intercept, slope);
    }

    /// <summary>Least-squares a, b of stars ≈ a + b·score on <paramref name="sample"/> (b = 0 when the scores are constant).</summary>
    public static (float Intercept, float Slope) FitCalibration(LightGcnModel model, RatingTable sample)
    {
        var scores = new float[sample.Count];
        ReadOnlySpan<int> users = sample.Users.Span;
        ReadOnlySpan<short> movies = sample.Movies.Span;
        ReadOnlySpan<byte> stars = sample.Ratings.Span;
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (int i = 0; i < sample.Count; i++)
        {
            double x = model.Score(users[i], movies[i]), y = stars[i];
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }

        int n = Math.Max(1, sample.Count);
        double variance = (sxx / n) - ((sx / n) * (sx / n));
        double slope = variance > 1e-12 ? ((sxy / n) - ((sx / n) * (sy / n))) / variance : 0;
        return ((float)((sy / n) - (slope * sx / n)), (float)slope);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _embeddings.Dispose();
        _adjacency.Dispose();
    }

    private long SampleNegative(int user)
    {
        ReadOnlySpan<int> rated = _graph.Adjacency.ColumnsOf(user);
        int movie = 0;
        for (int t = 0; t < NegativeTries; t++)
        {
            movie = _random.Next(_graph.Movies);
            if (rated.BinarySearch(_graph.MovieNode(movie)) < 0)
            {
                break;
            }
        }

        return _graph.MovieNode(movie);
    }


    private static RatingTable SampleRows(RatingTable table, int count, int seed)
    {
        if (table.Count <= count)
        {
            return table;
        }

        var rows = new int[count];
        var random = new Random(seed + 1);
        for (int i = 0; i < count; i++)
        {
            rows[i] = random.Next(table.Count);
        }

        return table.Select(rows);
    }
}
