using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Contracts.V1;

namespace NetflixRec.Serving.Tests;

/// <summary>A bad manifest is that model's problem only: the server starts, keeps scanning and serves every good model.</summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class BadManifestTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Directory name → (edit of manifest.json, the field the rejection must name).
    private static readonly (string Name, Action<JsonObject> Edit, string Field)[] s_variants =
    [
        ("no-metrics", m => m.Remove("metrics"), "metrics"),
        ("null-metrics", m => m["metrics"] = null, "metrics"),
        ("huge-users", m => m["users"] = int.MaxValue, "users"),
        ("users-off-by-one", m => m["users"] = m["users"]!.GetValue<int>() + 1, "users.arrow"),
        ("negative-movies", m => m["movies"] = -1, "movies"),
        ("too-many-movies", m => m["movies"] = 40_000, "movies"),
        ("null-name", m => m["name"] = null, "name"),
        ("no-name", m => m.Remove("name"), "name"),
        ("null-dims", m => m["dims"] = null, "dims"),
        ("null-fingerprint", m => m["data_fingerprint"] = null, "data_fingerprint"),
        ("other-fingerprint", m => m["data_fingerprint"] = "0123456789abcdef", "data_fingerprint"),
        ("other-kind", m => m["name"] = "svdpp", "name"),
        ("no-onnx", m => m.Remove("onnx"), "onnx"),
        ("odd-score-kind", m => m["onnx"]!["score_kind"] = "stars", "onnx.score_kind"),
        ("null-user-input", m => m["onnx"]!["user_input"] = null, "onnx.user_input"),
        ("not-an-object", m => m.Clear(), "name"),
    ];

    private readonly TrainedModels _models;
    private readonly TempDirectory _directory = new();

    public BadManifestTests(TrainedModels models) => _models = models;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Start_EachBadManifestBesideAGoodModel_ServesTheGoodOneAndReportsEachBadOne()
    {
        string root = _models.CreateModelsRoot(_directory, ("good", _models.BiasedMf));
        foreach ((string name, Action<JsonObject> edit, _) in s_variants)
        {
            WriteVariant(Path.Combine(root, name), edit);
        }

        await using TestServer server = await TestServer.StartAsync(root);
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());
        RecommendResponse response = await server.Client.RecommendAsync(new RecommendRequest { CustomerId = FirstCustomer(), K = 3 });

        Assert.Equal(["good"], models.Models.Select(m => m.Name));
        Assert.Equal("good", models.DefaultModel);
        Assert.Equal("good", response.Model);
        Assert.Equal(3, response.Movies.Count);
        foreach ((string name, _, string field) in s_variants)
        {
            Assert.True(server.Registry.Rejections.TryGetValue(name, out string? reason), $"{name} is not reported as rejected");
            Assert.Contains(field, reason, StringComparison.Ordinal);
            Assert.Contains(name, reason, StringComparison.Ordinal); // the path of the file at fault
        }
    }

    [Fact]
    public async Task Reload_BadManifestAppears_RejectedAndLaterGoodModelsStillLoad()
    {
        string root = _models.CreateModelsRoot(_directory, ("good", _models.BiasedMf));
        await using TestServer server = await TestServer.StartAsync(root);

        var rejected = server.WaitForAsync(r => r.Rejected.Contains("bad"), Timeout);
        string staging = Path.Combine(root, ".staging");
        WriteVariant(staging, m => m.Remove("metrics"));
        Directory.Move(staging, Path.Combine(root, "bad"));
        await rejected;
        var loaded = server.WaitForAsync(r => r.Loaded.Contains("later"), Timeout);
        TrainedModels.CopyDirectory(_models.Bias, staging);
        Directory.Move(staging, Path.Combine(root, "later"));
        await loaded;
        ListModelsResponse models = await server.Client.ListModelsAsync(new ListModelsRequest());

        Assert.Equal(["good", "later"], models.Models.Select(m => m.Name));
        Assert.Contains("metrics", server.Registry.Rejections["bad"], StringComparison.Ordinal);
    }

    private void WriteVariant(string directory, Action<JsonObject> edit)
    {
        TrainedModels.CopyDirectory(_models.Bias, directory);
        string path = Path.Combine(directory, ModelDirectory.Manifest);
        var manifest = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        edit(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }

    private int FirstCustomer() => ModelArtifacts.Load(_models.BiasedMf).CustomerIds[0];
}
