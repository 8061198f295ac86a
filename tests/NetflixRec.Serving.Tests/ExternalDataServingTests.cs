using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;
using NetflixRec.Training.Export;
using NetflixRec.Training.Models;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// A model directory whose graph keeps its weights in model.onnx.data (how a graph past protobuf's 2 GB limit is
/// exported; forced here with a zero threshold) loads and serves the model's numbers, and its version follows the
/// data file's contents.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class ExternalDataServingTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly TrainedModels _models;

    public ExternalDataServingTests(TrainedModels models) => _models = models;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Predict_GraphWithExternalData_LoadsAndEqualsTheModel()
    {
        string root = _models.CreateModelsRoot(_directory, ("time", _models.TimeBias));
        string model = Path.Combine(root, "time");
        ModelExport.Run(model, _models.Dataset, _ => { }, externalThreshold: 0);
        string data = OnnxExternalData.PathFor(Path.Combine(model, ModelDirectory.Onnx));
        Assert.True(File.Exists(data));
        string version = ModelRegistry.VersionOf(model)!;

        ModelArtifacts artifacts = ModelArtifacts.Load(model);
        IRatingModel trained = ModelStore.Load(model).Model;
        await using (TestServer server = await TestServer.StartAsync(root))
        {
            short[] movies = [0, 5, 9, 12];
            var request = new PredictRequest { CustomerId = artifacts.CustomerIds[3], Model = "time" };
            request.MovieIds.Add(movies.Select(m => artifacts.MovieIds[m]));
            var expected = new float[movies.Length];
            trained.Predict([.. movies.Select(_ => 3)], movies, expected);

            PredictResponse response = await server.Client.PredictAsync(request);

            for (int i = 0; i < movies.Length; i++)
            {
                Assert.True(Math.Abs(response.Ratings[i] - Math.Clamp(expected[i], 1f, 5f)) <= 1e-4, $"movie {movies[i]}: served {response.Ratings[i]}, model {expected[i]}");
            }
        }

        // Same size, same time, one byte different: a new version.
        DateTime written = File.GetLastWriteTimeUtc(data);
        byte[] bytes = File.ReadAllBytes(data);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(data, bytes);
        File.SetLastWriteTimeUtc(data, written);
        Assert.NotEqual(version, ModelRegistry.VersionOf(model));
    }
}
