using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Graph;

/// <summary>Hyperparameters of <see cref="Gcmc"/> (defaults in defaults.json).</summary>
public sealed record GcmcConfig(
    int Hidden,
    int Factors,
    int Bases,
    double Dropout,
    double LearningRate,
    int BatchSize,
    double InitStd,
    int PatienceSteps,
    string Device) : EarlyStoppingOptions;

/// <summary>
/// <c>gcmc</c>, the graph auto-encoder for rating prediction (Berg, Kipf, Welling, 2017). Encoder: one message channel per
/// rating level r with the normalized adjacency c_um = 1/√(d_u d_m) and one-hot node inputs, so a user's hidden vector is
/// ReLU(Σ_r Σ_{m rated r} c_um W_r[m]) with ordinal weight sharing W_r = Σ_{s≤r} T_s (and the mirror for movies), then a
/// dense layer per side. Decoder: bilinear with basis sharing, logit_r = Σ_b a_rb u^T P_b v, softmax over the levels,
/// r̂ = expectation; loss: cross-entropy of the observed level. Every step runs the encoder over the full graph (two sparse
/// products) and the decoder on a shuffled batch of training ratings.
/// </summary>
public static class Gcmc
{
    public const string Name = "gcmc";

    public const int Levels = 5;

    public static TrainedModel Train(TrainingData data, GcmcConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        using var trainer = new GcmcTrainer(data, config);
        int patience = StepPatience.Epochs(config.Patience, config.PatienceSteps, trainer.StepsPerEpoch);
        return EpochLoop.Run(config, data, progress, epoch =>
        {
            trainer.RunEpoch(epoch);
            return new EpochOutcome(trainer.Snapshot());
        }, model => model, patience);
    }

    public static void Validate(GcmcConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ConfigCheck.Require(config.Hidden >= 1, Name, "hidden", "must be at least 1");
        ConfigCheck.Require(config.Factors >= 1, Name, "factors", "must be at least 1");
        ConfigCheck.Require(config.Bases >= 1, Name, "bases", "must be at least 1");
        ConfigCheck.Require(config.BatchSize >= 1, Name, "batch_size", "must be at least 1");
        ConfigCheck.Require(config.LearningRate > 0, Name, "learning_rate", "must be positive");
        ConfigCheck.Require(config.Dropout is >= 0 and < 1, Name, "dropout", "must be in [0, 1)");
        ConfigCheck.Require(config.PatienceSteps >= 0, Name, "patience_steps", "must not be negative");
    }
}

/// <summary>The training state of one GC-MC run; one epoch at a time.</summary>
internal sealed class GcmcTrainer : IDisposable
{
    private readonly TrainingData _data;
    private readonly GcmcConfig _config;
    private readonly Device _device;
    private readonly GcmcAdjacency _adjacency;
    private readonly GcmcModule _module;
    private readonly DenseAdam _optimizer;
    private readonly InBackwardAdam? _userOptimizer;
    private readonly ShuffledBatches _batches;

    // The step's tensors below malloc's mmap threshold fragment glibc's heap: the resident size crept from 7.0 to 8.0 GB
    // over 30 % of a `full` epoch. Handing the free pages back every 8 steps lowered that part's peak from 8.26 to
    // 7.98 × 10⁹ bytes (every step: 7.96) and a whole epoch's from 8.17 to 8.10, at no measurable cost.
    private const int TrimEverySteps = 8;
    private long _steps;

    public GcmcTrainer(TrainingData data, GcmcConfig config)
    {
        Gcmc.Validate(config);
        _data = data;
        _config = config;
        _device = TorchRuntime.Prepare(config.Device, config.Threads, config.Seed);
        _adjacency = new GcmcAdjacency(BipartiteGraph.FromRatings(data.Train, data.Users, data.Movies), Gcmc.Levels, _device,
            TrainingThreads.Resolve(config.Threads));
        // The graph and its two rating indices (≈ 3 GB at full) are garbage now, but training allocates almost nothing
        // managed (the tensors are native), so no full collection would come to return their pages before libtorch's
        // allocations pile on top: give them back here.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _module = new GcmcModule(data.Users, data.Movies, config, _device, TrainingThreads.Resolve(config.Threads));
        _module.to(_device);
        // With the CPU kernels the users' level weights (614 MB at full) are updated inside the backward, row by row, and
        // have no gradient table; the other parameters (23 MB at full) take theirs from autograd.
        _userOptimizer = _adjacency.UpdatesUsersInBackward ? new InBackwardAdam(_module.UserLevels, config.LearningRate) : null;
        Parameter[] withGradients = [.. _module.parameters().Where(p => _userOptimizer is null || !ReferenceEquals(p, _module.UserLevels))];
        if (_userOptimizer is not null && withGradients.Length != _module.parameters().Count() - 1)
        {
            throw new InvalidOperationException("gcmc: the users' level weights are not among the module's parameters");
        }

        _optimizer = new DenseAdam(withGradients, _device, config.LearningRate);
        _batches = new ShuffledBatches(data.Train.Count, new Random(config.Seed), data.Budget);
    }

    /// <summary>The optimizer steps of one epoch (of its share, when the budget runs part of each).</summary>
    public long StepsPerEpoch => _batches.StepsPerEpoch(_config.BatchSize, _data.Budget.Limit);

    /// <summary>One pass over the training ratings in shuffled batches; returns the mean cross-entropy.</summary>
    public double RunEpoch(int epoch)
    {
        _module.train();
        ReadOnlySpan<int> users = _data.Train.Users.Span;
        ReadOnlySpan<short> movies = _data.Train.Movies.Span;
        ReadOnlySpan<byte> stars = _data.Train.Ratings.Span;
        int batchSize = _config.BatchSize;
        var u = new long[batchSize];
        var m = new long[batchSize];
        var level = new long[batchSize];
        double lossSum = 0;
        foreach (ArraySegment<int> batch in _batches.NextEpoch(batchSize))
        {
            int count = batch.Count;

            for (int i = 0; i < count; i++)
            {
                int row = batch[i];
                u[i] = users[row];
                m[i] = movies[row];
                level[i] = stars[row] - 1;
            }

            using DisposeScope scope = torch.NewDisposeScope();
            (Tensor userOut, Tensor movieOut) = _module.Encode(_adjacency, _userOptimizer);
            Tensor logits = _module.Decode(userOut.index_select(0, TorchRuntime.Int64(u, count, _device)), movieOut.index_select(0, TorchRuntime.Int64(m, count, _device)));
            Tensor loss = torch.nn.functional.cross_entropy(logits, TorchRuntime.Int64(level, count, _device));
            _optimizer.Minimize(loss);
            lossSum += loss.item<float>() * count;
            if (++_steps % TrimEverySteps == 0)
            {
                NativeHeap.Trim();
            }
        }

        return lossSum / Math.Max(1, _batches.Count);
    }

    /// <summary>The final embeddings (encoder without dropout, run once) and the decoder, copied out.</summary>
    public GcmcModel Snapshot()
    {
        _module.eval();
        using (torch.no_grad())
        using (DisposeScope scope = torch.NewDisposeScope())
        {
            (Tensor userOut, Tensor movieOut) = _module.Encode(_adjacency, userOptimizer: null);
            return new GcmcModel(_config.Factors, _config.Bases, Gcmc.Levels, TorchRuntime.ToArray(userOut), TorchRuntime.ToArray(movieOut),
                TorchRuntime.ToArray(_module.DecoderBases), TorchRuntime.ToArray(_module.DecoderCoefficients));
        }
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _userOptimizer?.Dispose();
        _module.Dispose();
        _adjacency.Dispose();
    }


    /// <summary>GC-MC's parameters: per-level input weights of each side, dense layers, decoder bases and coefficients.</summary>
    private sealed class GcmcModule : nn.Module
    {
        private readonly double _dropout;
        private readonly Parameter _userLevels;
        private readonly Parameter _movieLevels;
        private readonly Linear _userDense;
        private readonly Linear _movieDense;
        private readonly Parameter _bases;
        private readonly Parameter _coefficients;
        private readonly ReluDropout _userActivation;
        private readonly ReluDropout _movieActivation;
        private readonly int _threads;

        public GcmcModule(int users, int movies, GcmcConfig config, Device device, int threads)
            : base(nameof(GcmcModule))
        {
            _userActivation = new ReluDropout(device, threads, config.Seed, stream: 0);
            _movieActivation = new ReluDropout(device, threads, config.Seed, stream: 1);
            _dropout = config.Dropout;
            _threads = threads;
            int d = config.Factors;
            // The run's own generator (RunGenerator); nn.Linear's default initialization takes none and draws from libtorch's.
            using torch.Generator init = RunGenerator.Create(config.Seed, torch.CPU);
            _userLevels = new Parameter(torch.empty(Gcmc.Levels, users, config.Hidden).normal_(0, config.InitStd, init));
            _movieLevels = new Parameter(torch.empty(Gcmc.Levels, movies, config.Hidden).normal_(0, config.InitStd, init));
            _userDense = nn.Linear(config.Hidden, d, hasBias: false);
            _movieDense = nn.Linear(config.Hidden, d, hasBias: false);
            _bases = new Parameter(torch.empty(config.Bases, d, d).normal_(0, 1.0 / Math.Sqrt(d), init));
            _coefficients = new Parameter(torch.empty(Gcmc.Levels, config.Bases).normal_(0, 0.1, init));
            RegisterComponents();
        }

        public Parameter UserLevels => _userLevels;

        public Tensor DecoderBases => _bases;

        public Tensor DecoderCoefficients => _coefficients;

        /// <summary>Final user and movie embeddings over the whole graph.</summary>
        /// <param name="userOptimizer">Updates the users' level weights in the backward (null: they get a gradient).</param>
        public (Tensor Users, Tensor Movies) Encode(GcmcAdjacency adjacency, InBackwardAdam? userOptimizer)
        {
            // Ordinal weight sharing (level r's weights are the running sum of T_1..T_r) happens inside the products. The
            // messages are let go as soon as they are activated: nothing saves them (123 MB for the users at full).
            Tensor userHidden, movieHidden;
            using (Tensor userMessages = adjacency.UserMessages(_movieLevels))
            {
                userHidden = _userActivation.Apply(userMessages, _dropout, training);
            }

            using (Tensor movieMessages = userOptimizer is null ? adjacency.MovieMessages(_userLevels) : adjacency.MovieMessages(_userLevels, userOptimizer))
            {
                movieHidden = _movieActivation.Apply(movieMessages, _dropout, training);
            }

            return (_userDense.forward(userHidden), _movieDense.forward(movieHidden));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _userActivation.Dispose();
                _movieActivation.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Rating-level logits of aligned rows: logit_r = Σ_b a_rb u^T P_b v.</summary>
        public Tensor Decode(Tensor users, Tensor movies)
        {
            Tensor basisScores = BasisScores.Apply(users, movies, _bases, _threads);
            return basisScores.mm(_coefficients.t());
        }
    }
}
