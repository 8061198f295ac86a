using NetflixRec.Training.Cli;

namespace NetflixRec.Serving.Tests;

/// <summary>
/// Real model directories, built once per test run with the netflixrec CLI exactly as a user would: a tiny generated
/// Prize, ingested, a biased-mf and a bias model trained, evaluated
/// and exported to ONNX. Tests copy them into their own
/// --models folders.
/// </summary>
public sealed class TrainedModels : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TrainedModels()
    {
        string netflix = _directory.Combine("netflix");
        Dataset = _directory.Combine("dataset");
        Run("generate", "--scale", "tiny", "--out", netflix, "--seed", "11");
        Run("ingest", "--netflix", netflix, "--out", Dataset);
        BiasedMf = TrainAndExport("biased-mf");
        Bias = TrainAndExport("bias");
        _timeBias = new Lazy<string>(() => TrainAndExport("time-bias"));
    }

    private readonly Lazy<string> _timeBias;

    /// <summary>An exported time-bias model directory (a graph with the extra day input); trained on first use.</summary>
    public string TimeBias => _timeBias.Value;

    public string Dataset { get; }

    /// <summary>Whether the bias model's manifest RMSE beats biased-mf's (on the tiny set it can): the default model's rule.</summary>
    public bool BiasIsBest => Rmse(Bias) < Rmse(BiasedMf);

    /// <summary>An exported biased-mf model directory (lower probe RMSE: the default).</summary>
    public string BiasedMf { get; }

    /// <summary>An exported bias-baseline model directory.</summary>
    public string Bias { get; }

    /// <summary>A new --models folder holding copies of the given model directories under the given names.</summary>
    public string CreateModelsRoot(TempDirectory owner, params (string Name, string Source)[] models)
    {
        string root = owner.Combine("models-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        foreach ((string name, string source) in models)
        {
            CopyDirectory(source, Path.Combine(root, name));
        }

        return root;
    }

    /// <summary>
    /// Drops <paramref name="source"/>'s files into <paramref name="target"/> as a deployer would: each copied aside, then
    /// renamed over its namesake. A copy straight into a watched directory races the server's reload, which may hold the
    /// file open for reading, and .NET's copy asks for it exclusively ("being used by another process").
    /// </summary>
    public static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        string staging = Path.Combine(Path.GetTempPath(), $"netflixrec-staging-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (string file in Directory.EnumerateFiles(source))
            {
                string staged = Path.Combine(staging, Path.GetFileName(file));
                File.Copy(file, staged);
                File.Move(staged, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
            }
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    public void Dispose() => _directory.Dispose();

    private static double Rmse(string directory)
    {
        string path = Path.Combine(directory, Contracts.ModelDirectory.Manifest);
        return Contracts.ModelManifest.FromJson(File.ReadAllText(path), path).Metrics["rmse"];
    }

    private string TrainAndExport(string model)
    {
        string output = _directory.Combine("trained", model);
        Run("train", "--data", Dataset, "--model", model, "--out", output);
        Run("evaluate", "--data", Dataset, "--model", output); // the probe metrics (rmse) go into the manifest
        // Exact weights: these tests compare the server's answers with the model's own (int8 exports: ReducedWeightsTableTests, WeightLayoutTests).
        Run("export", "--model", output, "--weights", "fp32");
        return output;
    }

    private static void Run(params string[] args)
    {
        int code = CliApp.Run(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"netflixrec {string.Join(' ', args)} exited {code}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<TrainedModels>
{
    // One collection: the fixture is built once, and the servers' tests do not compete for the two cores.
    public const string Name = "serving";
}
