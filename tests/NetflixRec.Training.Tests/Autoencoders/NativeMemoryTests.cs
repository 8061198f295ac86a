using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.MatrixFactorization;
using TorchSharp;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>
/// Training must not leak native tensors: every batch's intermediates live in a dispose scope, so the number of live
/// TorchSharp tensors on the training thread is the same after every epoch (only the parameters and optimizer state).
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class NativeMemoryTests
{
    [Theory]
    [InlineData("autorec-i", "{\"hidden\":16,\"batch_size\":8,\"threads\":1,\"max_epochs\":6,\"patience\":0}")]
    [InlineData("autorec-u", "{\"hidden\":16,\"batch_size\":8,\"input_dropout\":0.2,\"threads\":1,\"max_epochs\":6,\"patience\":0}")]
    [InlineData("deep-ae", "{\"encoder\":[16,8],\"batch_size\":8,\"dense_refeeding\":true,\"threads\":1,\"max_epochs\":6,\"patience\":0}")]
    [InlineData("mult-vae", "{\"hidden\":16,\"latent\":4,\"batch_size\":8,\"calibration_users\":5,\"threads\":1,\"max_epochs\":6}")]
    public void Train_SeveralEpochs_LiveTensorCountDoesNotGrow(string name, string overrides)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 40, movies: 25, rank: 2, observed: 0.6, seed: 9);
        var live = new List<long>();
        var progress = new SynchronousProgress(_ => live.Add(DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount));

        ModelCatalog.Find(name).Train(data, ModelCatalog.Configure(name, JsonNode.Parse(overrides)!.AsObject(), "test"), progress);

        Assert.Equal(6, live.Count);
        Assert.All(live.Skip(1), count => Assert.Equal(live[1], count));
    }

    private sealed class SynchronousProgress(Action<EpochRecord> report) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => report(value);
    }
}
