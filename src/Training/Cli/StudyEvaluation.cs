using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Cli;

/// <summary>
/// A study's evaluation data (the probe and its oracle, the training and probe ratings indexed by user, the movies'
/// popularity), let go while a model trains or is tuned and indexed again when the next evaluation needs it: at Prize
/// size the training ratings' index alone is 0.3 GB, which would otherwise sit under every model's training peak.
/// Indexing again takes seconds; a reused model pays nothing.
/// </summary>
internal sealed class StudyEvaluation
{
    private readonly LocalDataset _dataset;
    private EvaluationData? _data;

    /// <param name="train">The training partition the caller already loaded, indexed now (it goes on to the first training split).</param>
    public StudyEvaluation(LocalDataset dataset, RatingTable train)
    {
        _dataset = dataset;
        _data = Index(dataset, train);
    }

    /// <summary>The evaluation data, indexed again if it was let go.</summary>
    public EvaluationData Data
    {
        get
        {
            if (_data is null)
            {
                CliRun.Progress("compare: indexing the training and probe ratings again for evaluation");
                _data = Index(_dataset, _dataset.LoadRatings(DatasetPartition.Train));
            }

            return _data;
        }
    }

    /// <summary>Lets the index go (a training or tuning comes next); the caller collects.</summary>
    public void Release() => _data = null;

    private static EvaluationData Index(LocalDataset dataset, RatingTable train) =>
        EvaluationData.Prepare(train, dataset.LoadRatings(DatasetPartition.Probe), dataset.LoadProbeOracle(), dataset.Manifest.Users, dataset.Manifest.Movies);
}
