using System.Globalization;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// The training sets of a study, one at a time: models with the same validation fraction and seed share one; a model
/// that needs another lets the current one go before the next is prepared, so the process never holds two (each is the
/// whole training partition, ≈ 0.9 GB at Prize size), and compare lets the current one go before each export (preparing
/// one again takes seconds). The training partition the caller already loaded (for the evaluation index) is split for
/// the first set instead of being read again, and let go once split.
/// </summary>
internal sealed class TrainingSplits(IRatingBatchSource dataset, RatingTable? loadedTrain = null)
{
    private RatingTable? _loadedTrain = loadedTrain;
    private string? _key;
    private TrainingData? _current;

    /// <summary>How many training sets were prepared so far (a re-use of the current one does not count).</summary>
    public int Prepared { get; private set; }

    /// <summary>The training set for <paramref name="validationFraction"/> and <paramref name="seed"/>: the current one, or a new one in its place.</summary>
    public TrainingData For(double validationFraction, int seed)
    {
        string key = string.Create(CultureInfo.InvariantCulture, $"{validationFraction:R}/{seed}");
        if (_current is not null && _key == key)
        {
            return _current;
        }

        RatingTable? loaded = _loadedTrain;
        if (_current is not null)
        {
            // Collected before the next one is allocated, not after: the two never add up.
            Release();
            ProcessMemory.ReleaseFreed();
        }

        Release();
        TrainingData data = loaded is null
            ? TrainingData.Load(dataset, validationFraction, seed)
            : TrainingData.Load(dataset, loaded, validationFraction, seed);
        _current = data;
        _key = key;
        Prepared++;
        return data;
    }

    /// <summary>Lets the current training set and the loaded partition go (a step that loads its own data, such as tuning, comes next).</summary>
    public void Release()
    {
        _current = null;
        _key = null;
        _loadedTrain = null;
    }
}
