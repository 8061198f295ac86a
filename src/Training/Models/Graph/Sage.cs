using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>Hyperparameters of <see cref="Sage"/> (defaults in defaults.json). <c>fanouts[0]</c> is the hop nearest the rated pair.</summary>
public sealed record SageConfig(
    int Factors,
    IReadOnlyList<int> Fanouts,
    double LearningRate,
    int BatchSize,
    double Regularization,
    double InitStd,
    string Device) : EarlyStoppingOptions;

/// <summary>
/// <c>sage</c>: the seed's layer h_v^(l+1) = σ(W^(l) · AGG({h_j^(l) : j ∈ N(v)})) with learnable W per layer, a mean
/// aggregator over sampled neighbors and ReLU between layers (the last layer is linear so dot products can be negative).
/// As in GraphSAGE the aggregate is concatenated with the node's own vector, and a second mean carries the edges' stars
/// (each neighbor weighted by its rating minus the mean), since on a rating graph the stars are the signal:
/// h_v' = σ(W [h_v ‖ mean_j h_j ‖ mean_j (r_vj − μ) h_j] + b). Layer 0 is a learned embedding per node. Prediction:
/// r̂ = 1 + 4·σ(h_u·h_m + b_u + b_m + c), trained with squared error on observed ratings in mini-batches whose
/// computation graphs are sampled (GraphSAGE/PinSage) and deduplicated per hop, so each step costs the distinct nodes
/// it reaches (at most batch × Π(1 + fanout), in practice far fewer) and the means are sparse products.
/// After training every node's final vector is computed once, layer by layer over the full neighborhoods (the mean
/// adjacency D^−1 A, which the sampled means estimate).
/// </summary>
public static class Sage
{
    public const string Name = "sage";

    public static TrainedModel Train(TrainingData data, SageConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        using var trainer = new SageTrainer(data, config);
        return EpochLoop.Run(config, data, progress, epoch =>
        {
            trainer.RunEpoch(epoch);
            return new EpochOutcome(trainer.Snapshot());
        }, model => model);
    }

    public static void Validate(SageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigCheck.Require(config.Factors >= 1, Name, "factors", "must be at least 1");
        ConfigCheck.Require(config.Fanouts.Count >= 1 && config.Fanouts.All(f => f >= 1), Name, "fanouts", "must hold at least one fanout, each at least 1");
        ConfigCheck.Require(config.BatchSize >= 1, Name, "batch_size", "must be at least 1");
        ConfigCheck.Require(config.LearningRate > 0, Name, "learning_rate", "must be positive");
    }
}

/// <summary>The training state of one sage run; one epoch at a time.</summary>
internal sealed class SageTrainer : IDisposable
{
    private readonly TrainingData _data;
    private readonly SageConfig _config;
    private readonly Device _device;
    private readonly BipartiteGraph _graph;
    private readonly NeighborSampler _sampler;
    private readonly FullNeighborhood _neighborhood;
    private readonly SageModule _module;
    private readonly DenseAdam _optimizer;
    private readonly ShuffledBatches _batches;
    private readonly Random _random;
    private readonly int _threads;

    public SageTrainer(TrainingData data, SageConfig config)
    {
        Sage.Validate(config);
        _data = data;
        _config = config;
        _device = TorchRuntime.Prepare(config.Device, config.Threads, config.Seed);
        _graph = BipartiteGraph.FromRatings(data.Train, data.Users, data.Movies);
        float mean = (float)data.GlobalMean;
        _sampler = new NeighborSampler(_graph, mean);
        _threads = TrainingThreads.Resolve(config.Threads);
        _neighborhood = new FullNeighborhood(_graph, mean, _device, _threads);
        _module = new SageModule(_graph.Nodes, config, mean);
        _module.to(_device);
        _optimizer = new DenseAdam(_module.parameters(), _device, config.LearningRate, config.Regularization);

        _random = new Random(config.Seed);
        _batches = new ShuffledBatches(data.Train.Count, _random, data.Budget);
    }

    /// <summary>One pass over the training ratings in shuffled mini-batches; returns the mean squared error.</summary>
    public double RunEpoch(int epoch)
    {
        _module.train();
        ReadOnlySpan<int> users = _data.Train.Users.Span;
        ReadOnlySpan<short> movies = _data.Train.Movies.Span;
        ReadOnlySpan<byte> stars = _data.Train.Ratings.Span;
        double lossSum = 0;
        foreach (ArraySegment<int> batch in _batches.NextEpoch(_config.BatchSize))
        {
            int count = batch.Count;

            var targets = new long[2 * count];
            var ratings = new float[count];
            for (int i = 0; i < count; i++)
            {
                int row = batch[i];
                targets[i] = users[row];
                targets[count + i] = _graph.MovieNode(movies[row]);
                ratings[i] = stars[row];
            }

            // Hops outward from the rated pairs' distinct nodes: hop l samples for hop l−1's sources.
            var positions = new long[targets.Length];
            var blocks = new SampledBlock[_config.Fanouts.Count];
            long[] frontier = _sampler.Distinct(targets, positions);
            for (int l = 0; l < blocks.Length; l++)
            {
                blocks[l] = _sampler.Expand(frontier, _config.Fanouts[l], _random);
                frontier = blocks[l].Sources;
            }

            using DisposeScope scope = torch.NewDisposeScope();
            Tensor final = _module.ForwardSampled(blocks, _device, _threads);
            Tensor target = TorchRuntime.Int64(targets, _device);
            Tensor rows = TorchRuntime.Int64(positions, _device);
            Tensor prediction = _module.Stars(final.index_select(0, rows.narrow(0, 0, count)), final.index_select(0, rows.narrow(0, count, count)),
                target.narrow(0, 0, count), target.narrow(0, count, count));
            Tensor loss = torch.nn.functional.mse_loss(prediction, TorchRuntime.Float32(ratings, _device));
            _optimizer.Minimize(loss);

            lossSum += loss.item<float>() * count;
        }

        return lossSum / Math.Max(1, _batches.Count);
    }

    /// <summary>Every node's final vector over the full neighborhoods, copied out with the biases.</summary>
    public SageModel Snapshot()
    {
        _module.eval();
        using (torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            Tensor final = _module.ForwardFull(_neighborhood);
            float[] bias = TorchRuntime.ToArray(_module.NodeBias);
            return new SageModel(_config.Factors,
                TorchRuntime.ToArray(final.narrow(0, 0, _graph.Users)), TorchRuntime.ToArray(final.narrow(0, _graph.Users, _graph.Movies)),
                bias.AsMemory(0, _graph.Users), bias.AsMemory(_graph.Users, _graph.Movies), TorchRuntime.ToArray(_module.GlobalBias)[0]);
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _module.Dispose();
        _neighborhood.Dispose();
    }

    /// <summary>Node embeddings (layer 0), one linear map per layer, node biases and the global bias.</summary>
    private sealed class SageModule : nn.Module
    {
        private readonly Parameter _embeddings;
        private readonly Parameter _bias;
        private readonly Parameter _globalBias;
        private readonly ModuleList<Linear> _layers;

        public SageModule(int nodes, SageConfig config, float meanRating)
            : base(nameof(SageModule))
        {
            int d = config.Factors;
            using (torch.Generator init = RunGenerator.Create(config.Seed, torch.CPU))
            {
                _embeddings = new Parameter(torch.empty(nodes, d).normal_(0, config.InitStd, init));
            }

            _bias = new Parameter(torch.zeros(nodes));
            // Start at the mean rating: σ(c) = (μ − 1)/4.
            double start = Math.Clamp((meanRating - SageModel.Offset) / SageModel.Scale, 0.05, 0.95);
            _globalBias = new Parameter(torch.tensor(new[] { (float)Math.Log(start / (1 - start)) }));
            _layers = new ModuleList<Linear>([.. config.Fanouts.Select(_ => nn.Linear(3 * d, d))]);
            RegisterComponents();
        }

        public Tensor NodeBias => _bias;

        public Tensor GlobalBias => _globalBias;

        /// <summary>
        /// The final vectors of the first block's destinations: start from the embeddings of the outermost block's sources
        /// and apply the layers inwards; a block's destinations are the first rows of its sources, and its neighbor means
        /// are sparse products over them.
        /// </summary>
        public Tensor ForwardSampled(IReadOnlyList<SampledBlock> blocks, Device device, int threads)
        {
            Tensor h = DistinctRowGather.Apply(_embeddings, TorchRuntime.Int64(blocks[^1].Sources, device));
            for (int l = blocks.Count - 1, applied = 0; l >= 0; l--, applied++)
            {
                h = Layer(applied, Aggregate(blocks[l], h, device, threads));
            }

            return h;
        }

        /// <summary>Every node's final vector, layer by layer over full neighborhoods (D^−1 A products; no gradient).</summary>
        public Tensor ForwardFull(FullNeighborhood neighborhood)
        {
            Tensor h = _embeddings;
            for (int applied = 0; applied < _layers.Count; applied++)
            {
                h = Layer(applied, torch.cat([h, neighborhood.Mean(h), neighborhood.StarMean(h)], 1));
            }

            return h;
        }

        /// <summary>r̂ = 1 + 4σ(h_u·h_m + b_u + b_m + c) for aligned rows (movie indices are graph nodes).</summary>
        public Tensor Stars(Tensor users, Tensor movies, Tensor userNodes, Tensor movieNodes)
        {
            Tensor logit = (users * movies).sum(1) + _bias.index_select(0, userNodes) + _bias.index_select(0, movieNodes) + _globalBias;
            return (torch.sigmoid(logit) * SageModel.Scale) + SageModel.Offset;
        }

        /// <summary>[h_v ‖ mean_j h_j ‖ mean_j (r_vj − μ) h_j] of the block's destinations: one fused function over host
        /// memory (<see cref="SageAggregation"/>), torch's sparse products on another device.</summary>
        private static Tensor Aggregate(SampledBlock block, Tensor h, Device device, int threads)
        {
            if (SparseOperator.UsesCsrKernel(device))
            {
                return new SageAggregation(block, threads).Apply(h);
            }

            using var mean = new SparseOperator(block.Mean, device, threads);
            using var stars = new SparseOperator(block.CenteredStars, device, threads);
            return torch.cat([h.narrow(0, 0, block.Destinations), mean.Multiply(h), stars.Multiply(h)], 1);
        }

        // W·[self ‖ mean ‖ star mean] + b, ReLU between layers.
        private Tensor Layer(int applied, Tensor input)
        {
            Tensor output = _layers[applied].forward(input);
            return applied == _layers.Count - 1 ? output : torch.nn.functional.relu(output);
        }
    }
}
