namespace NetflixRec.Training.Data.Synthetic;

/// <summary>What <see cref="SyntheticNetflix.Write(SyntheticDataset, string)"/> put on disk.</summary>
/// <param name="Directory">The output directory.</param>
/// <param name="TrainingRatings">Lines written to training_set (probe ratings included, qualifying excluded).</param>
/// <param name="Users">Distinct customers in training_set.</param>
/// <param name="Movies">Movie files written (every movie has at least one rating).</param>
/// <param name="Probe">Pairs in probe.txt (and probe_oracle.txt).</param>
/// <param name="Qualifying">Pairs in qualifying.txt.</param>
/// <param name="Titles">Lines of movie_titles.txt.</param>
/// <param name="Bytes">Total size of the files written.</param>
public sealed record GenerationSummary(
    string Directory,
    long TrainingRatings,
    int Users,
    int Movies,
    long Probe,
    long Qualifying,
    int Titles,
    long Bytes);
