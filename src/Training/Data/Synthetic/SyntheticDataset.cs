using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// A generated Netflix Prize in memory, exactly as its files read back: training blocks (probe included, qualifying
/// excluded, customers ascending), probe blocks without days, qualifying blocks with days, and the probe oracle.
/// Blocks are in MovieID order; probe, qualifying and oracle list only movies that have pairs.
/// </summary>
public sealed record SyntheticDataset(
    GeneratorOptions Options,
    IReadOnlyList<int> CustomerIds,
    IReadOnlyList<MovieTitle> Titles,
    IReadOnlyList<MovieRatings> Training,
    IReadOnlyList<MovieQueries> Probe,
    IReadOnlyList<MovieQueries> Qualifying,
    IReadOnlyList<MovieOracle> Oracle)
{
    /// <summary>The stars of the qualifying pairs, block for block as <see cref="Qualifying"/> (the Prize kept them hidden; written to qualifying_answers.txt so a quiz RMSE can be computed on generated sets).</summary>
    public IReadOnlyList<MovieOracle> QualifyingAnswers { get; init; } = [];

    public long TrainingCount => Training.Sum(block => (long)block.Count);

    public long ProbeCount => Probe.Sum(block => (long)block.Count);

    public long QualifyingCount => Qualifying.Sum(block => (long)block.Count);
}
