using NetflixRec.Contracts;
using NetflixRec.Training.Models.Scoring;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Hyperparameters of <see cref="TorchBiasedMf"/> (defaults in defaults.json).</summary>
public sealed record TorchBiasedMfConfig(
    int Factors,
    double LearningRate,
    int BatchSize,
    double RegularizationFactors,
    double RegularizationBias,
    double InitStd) : EarlyStoppingOptions;

/// <summary>
/// <c>biased-mf-torch</c>: the reference for <c>biased-mf</c> — the same model and the same per-rating L2-regularized
/// squared loss, written the way a plain PyTorch user would (embeddings, mini-batches, Adam, autograd) in TorchSharp.
/// It exists to check that the hand-written FPSGD trainer is as accurate as the textbook implementation, and what the
/// hand-written kernel buys in time.
/// </summary>
public static class TorchBiasedMf
{
    public const string Name = "biased-mf-torch";

    public static TrainedModel Train(TrainingData data, TorchBiasedMfConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Factors(Name, config.Factors, config.RegularizationFactors, config.RegularizationBias, config.InitStd, "init_std");
        ConfigCheck.Require(config.LearningRate > 0, Name, "learning_rate", "must be positive");
        ConfigCheck.Require(config.BatchSize >= 1, Name, "batch_size", "must be at least 1");
        TorchRuntime.Configure(config.Threads, config.Seed);

        // Every draw that shapes the model comes from the run's generator: the embeddings' default initialization (from
        // libtorch's global generator) is overwritten, so two runs with one seed agree whatever else the process draws.
        using Generator generator = RunGenerator.Create(config.Seed, torch.CPU);
        using var module = new BiasedMfModule(data.Users, data.Movies, config.Factors, config.InitStd, generator);
        using Tensor users = torch.tensor(data.Train.Users.ToArray()).to(ScalarType.Int64);
        using Tensor movies = torch.tensor(data.Train.Movies.ToArray()).to(ScalarType.Int64);
        using Tensor ratings = torch.tensor(data.Train.Ratings.ToArray()).to(ScalarType.Float32);
        float mean = (float)data.GlobalMean;
        using var optimizer = torch.optim.Adam(module.parameters(), config.LearningRate);
        long count = data.Train.Count;

        return EpochLoop.Run(config, data, progress, _ =>
        {
            double squaredError = 0;
            using (Tensor order = torch.randperm(count, generator: generator))
            {
                for (long start = 0; start < count; start += config.BatchSize)
                {
                    using DisposeScope scope = torch.NewDisposeScope();
                    Tensor batch = order.slice(0, start, Math.Min(start + config.BatchSize, count), 1);
                    Tensor u = users.index_select(0, batch), m = movies.index_select(0, batch), r = ratings.index_select(0, batch);
                    (Tensor prediction, Tensor penalty) = module.Forward(u, m, mean, config.RegularizationFactors, config.RegularizationBias);
                    Tensor error = (r - prediction).square().sum();
                    Tensor loss = (error + penalty) / batch.shape[0];
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    squaredError += error.item<float>();
                }
            }

            return new EpochOutcome(module.ToFactorModel(mean), Math.Sqrt(squaredError / count));
        }, model => model);
    }

    /// <summary>μ + b_u + b_i + p_u·q_i over embedding tables.</summary>
    private sealed class BiasedMfModule : nn.Module
    {
        private readonly Embedding _userFactors;
        private readonly Embedding _movieFactors;
        private readonly Embedding _userBias;
        private readonly Embedding _movieBias;

        public BiasedMfModule(int users, int movies, int factors, double initStd, Generator generator)
            : base(nameof(BiasedMfModule))
        {
            _userFactors = nn.Embedding(users, factors);
            _movieFactors = nn.Embedding(movies, factors);
            _userBias = nn.Embedding(users, 1);
            _movieBias = nn.Embedding(movies, 1);
            using (torch.no_grad())
            {
                _userFactors.weight!.normal_(0, initStd, generator);
                _movieFactors.weight!.normal_(0, initStd, generator);
                _userBias.weight!.zero_();
                _movieBias.weight!.zero_();
            }

            RegisterComponents();
        }

        /// <summary>Predictions and the batch's L2 penalty (each rating regularizes the rows it touches, as in SGD).</summary>
        public (Tensor Prediction, Tensor Penalty) Forward(Tensor users, Tensor movies, float mean, double regFactors, double regBias)
        {
            Tensor p = _userFactors.forward(users), q = _movieFactors.forward(movies);
            Tensor bu = _userBias.forward(users).squeeze(1), bi = _movieBias.forward(movies).squeeze(1);
            Tensor prediction = (p * q).sum(1) + bu + bi + mean;
            Tensor penalty = (regFactors * (p.square().sum() + q.square().sum())) + (regBias * (bu.square().sum() + bi.square().sum()));
            return (prediction, penalty);
        }

        public FactorModel ToFactorModel(float mean)
        {
            using (torch.no_grad())
            {
                return new FactorModel(Name, ModelFamily.MatrixFactorization, mean,
                    _userBias.weight!.data<float>().ToArray(), _movieBias.weight!.data<float>().ToArray(),
                    (int)_userFactors.weight!.shape[1],
                    _userFactors.weight!.data<float>().ToArray(), _movieFactors.weight!.data<float>().ToArray());
            }
        }
    }
}
