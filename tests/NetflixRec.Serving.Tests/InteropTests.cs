using System.Diagnostics;
using System.Text.Json;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// A non-.NET client: Debian's python3-grpcio with stubs compiled from protos/ by python3-grpc-tools calls Recommend
/// and Predict, the calls for new people (RecommendForRatings, PredictForRatings) and SimilarMovies on a running server. Both packages are installed by .ci/run; without them this test fails.
/// </summary>
[Trait("Category", "Slow")]
[Collection(ServingCollection.Name)]
public sealed class InteropTests : IDisposable
{
    // Debian's interpreter: the one whose dist-packages hold python3-grpcio (a pyenv python3 on PATH would not).
    private const string Python = "/usr/bin/python3";

    private readonly TempDirectory _directory = new();
    private readonly string _root;
    private readonly ModelArtifacts _artifacts;

    public InteropTests(TrainedModels models)
    {
        _root = models.CreateModelsRoot(_directory, ("mf", models.BiasedMf));
        _artifacts = ModelArtifacts.Load(models.BiasedMf);
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PythonClient_EveryCall_Succeeds()
    {
        string repo = RepositoryRoot();
        string stubs = _directory.Combine("stubs");
        Directory.CreateDirectory(stubs);
        (int protoc, string protocOutput) = await RunAsync(Python, "-m", "grpc_tools.protoc", "-I", Path.Combine(repo, "protos"),
            "--python_out=" + stubs, "--grpc_python_out=" + stubs, Path.Combine(repo, "protos", "netflixrec", "v1", "recommender.proto"));
        Assert.True(protoc == 0, $"python3 -m grpc_tools.protoc failed (apt-get install python3-grpc-tools): {protocOutput}");
        // Python 2-style packages: the generated modules import each other as netflixrec.v1.*.
        File.WriteAllText(Path.Combine(stubs, "netflixrec", "__init__.py"), "");
        File.WriteAllText(Path.Combine(stubs, "netflixrec", "v1", "__init__.py"), "");
        await using TestServer server = await TestServer.StartAsync(_root);
        long customer = _artifacts.CustomerIds[1];
        string movies = string.Join(',', _artifacts.MovieIds.Take(3));

        (int code, string output) = await RunAsync(Python, Path.Combine(repo, "tests", "NetflixRec.Serving.Tests", "Interop", "client.py"), stubs,
            $"{server.Address.Host}:{server.Address.Port}", customer.ToString(System.Globalization.CultureInfo.InvariantCulture), movies);

        Assert.True(code == 0, $"python client exited {code}: {output}");
        using JsonDocument result = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal("mf", result.RootElement.GetProperty("model").GetString());
        Assert.Equal(5, result.RootElement.GetProperty("recommended").GetArrayLength());
        Assert.Equal(3, result.RootElement.GetProperty("ratings").GetArrayLength());
        Assert.Equal(5, result.RootElement.GetProperty("recommended_for_ratings").GetArrayLength());
        Assert.Equal(3, result.RootElement.GetProperty("predicted_for_ratings").GetArrayLength());
        Assert.Equal(5, result.RootElement.GetProperty("similar").GetArrayLength());
    }

    private static string RepositoryRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "NetflixRec.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("NetflixRec.sln not found above " + AppContext.BaseDirectory);
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {program}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
