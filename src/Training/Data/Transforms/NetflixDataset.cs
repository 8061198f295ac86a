using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Transforms;

/// <summary>
/// The Prize data transformed for training: dense ID maps, the official probe split (train = every rating minus the
/// probe pairs), the qualifying pairs, and the titles. <see cref="ProbeOracle"/> is aligned with <see cref="Probe"/>
/// and empty when no oracle file was present.
/// </summary>
public sealed record NetflixDataset(
    IdMap Users,
    IdMap Movies,
    IReadOnlyList<MovieTitle> Titles,
    RatingTable Train,
    RatingTable Probe,
    ReadOnlyMemory<float> ProbeOracle,
    QueryTable Qualifying)
{
    public bool HasOracle => !ProbeOracle.IsEmpty;

    /// <summary>Ratings in the training files: train plus probe (the probe pairs are part of the Prize's training set).</summary>
    public long RatingCount => (long)Train.Count + Probe.Count;
}
