using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Models;
using NetflixRec.Training.Tests.MatrixFactorization;
using TorchSharp;

namespace NetflixRec.Training.Tests;

/// <summary>
/// The torch trainers whose every draw comes from the run's own generator: a second training with the same seed in the
/// same process gives the same model even when something else draws from libtorch's global generator between its epochs.
/// </summary>
[Collection(TorchCollection.Name)]
public sealed class RunGeneratorTests
{
    private static readonly JsonObject s_multVae = new()
    {
        ["hidden"] = 16, ["latent"] = 4, ["batch_size"] = 8, ["calibration_users"] = 10, ["anneal_steps"] = 10,
    };

    [Theory]
    [InlineData("biased-mf-torch")]
    [InlineData("mult-vae")]
    public void Train_SameSeedTwiceInOneProcess_IdenticalModelsWhateverElseDrawsFromTheGlobalGenerator(string name)
    {
        (TrainingData data, _) = MfFixtures.LowRank(users: 40, movies: 25, rank: 2, observed: 0.7, seed: 3);
        ModelEntry entry = ModelCatalog.Find(name);
        JsonObject overrides = name == "mult-vae" ? s_multVae.DeepClone().AsObject() : new JsonObject { ["batch_size"] = 64 };
        overrides["max_epochs"] = 3;
        overrides["threads"] = 1;
        TrainingOptions config = ModelCatalog.Configure(name, overrides, "test");
        int[] users = [.. Enumerable.Range(0, data.Users)];

        float[] first = entry.Train(data, config, MfFixtures.NoProgress).Model.ScoreAll(users);
        float[] second = entry.Train(data, config, new Meddler()).Model.ScoreAll(users);
        float[] reseeded = entry.Train(data, config with { Seed = config.Seed + 1 }, MfFixtures.NoProgress).Model.ScoreAll(users);

        Assert.Equal(first, second);
        Assert.NotEqual(first, reseeded);
    }

    /// <summary>Draws from libtorch's global generator after every epoch, on the training thread, as another run would.</summary>
    private sealed class Meddler : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value)
        {
            using torch.Tensor noise = torch.rand(1000);
        }
    }
}
