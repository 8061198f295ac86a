using NetflixRec.Contracts;
using NetflixRec.Training.Data;

namespace NetflixRec.Training.Models;

/// <summary>
/// A model directory: manifest.json (what, how, on which data, how well), weights.safetensors, and history.arrow for
/// models that read a user's ratings at inference (<see cref="IReadsUserHistory"/>). Saving is atomic
/// (temporary directory, then rename); loading checks the manifest and the tensors against each other.
/// </summary>
public static class ModelStore
{
    public const string WeightsFileName = ModelDirectory.Weights;

    public static void Save(string directory, IRatingModel model, ModelManifest manifest)
    {
        OutputDirectory.EnsureAbsentOrEmpty(directory);
        OutputDirectory.WriteAtomically(directory, temp =>
        {
            SafeTensors.Write(Path.Combine(temp, WeightsFileName), model.Tensors);
            if (model is IReadsUserHistory reader)
            {
                UserHistory.Write(Path.Combine(temp, UserHistory.FileName), reader.History);
            }

            File.WriteAllText(Path.Combine(temp, ModelManifest.FileName), manifest.ToJson());
            return 0;
        });
    }

    public static ModelManifest ReadManifest(string directory)
    {
        string path = Path.Combine(directory, ModelManifest.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: not found; is {directory} a model directory written by 'netflixrec train'?");
        }

        return ModelManifest.FromJson(File.ReadAllText(path), path);
    }

    public static (IRatingModel Model, ModelManifest Manifest) Load(string directory)
    {
        ModelManifest manifest = ReadManifest(directory);
        string weights = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(weights))
        {
            throw new InvalidDataException($"{weights}: not found; the model directory is incomplete");
        }

        IRatingModel model;
        try
        {
            model = ModelCatalog.Find(manifest.Name).Load(SafeTensors.Read(weights), weights);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IndexOutOfRangeException && !e.Message.StartsWith(weights, StringComparison.Ordinal))
        {
            // The weights are a file the user handed us: tensors that do not fit the model are bad input, named by file.
            throw new InvalidDataException($"{weights}: {e.Message}", e);
        }

        if (model.Users != manifest.Users || model.Movies != manifest.Movies)
        {
            throw new InvalidDataException($"{weights}: {model.Users} users × {model.Movies} movies, but the manifest says {manifest.Users} × {manifest.Movies}");
        }

        return (model, manifest);
    }

    /// <summary>Replaces the manifest's metrics (write to a temporary file, then rename: a reader never sees half a manifest).</summary>
    public static void UpdateMetrics(string directory, IReadOnlyDictionary<string, double> metrics)
    {
        ModelManifest updated = ReadManifest(directory) with { Metrics = metrics };
        AtomicFile.WriteAllText(Path.Combine(directory, ModelManifest.FileName), updated.ToJson());
    }

    /// <summary>The manifest of a freshly trained model (metrics are filled in by evaluate).</summary>
    public static ModelManifest ManifestFor(TrainedModel trained, TrainingData data, double trainSeconds, IReadOnlyDictionary<string, long> dims,
        string dataSource) =>
        new(trained.Model.Name, trained.Model.Family, trained.Model.Users, trained.Model.Movies, dims, trained.Hyperparameters,
            data.DataFingerprint, Math.Round(trainSeconds, 3), trained.Curve.Count, trained.BestEpoch, trained.Curve,
            new Dictionary<string, double>(), trained.Model.Tensors.Sum(t => t.ElementCount),
            $"netflixrec {typeof(ModelStore).Assembly.GetName().Version}", dataSource);
}
