namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec train</c> did: typed in the program, the JSON field names (snake_case, in this order) only at the
/// edge (<c>--json</c>, <see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record TrainSummary(
    string Model,
    string Family,
    double TrainSeconds,
    int Epochs,
    int BestEpoch,
    double? ValidationRmse,
    long Parameters,
    string Out);
