namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Wall-clock timings of one evaluation: predicting the held-out ratings, ranking the held-out users, and the whole
/// call (including indexing the data when the call did it).
/// </summary>
public sealed record EvaluationTimings(int Predictions, double PredictionSeconds, int UsersRanked, double RankingSeconds, double TotalSeconds)
{
    /// <summary>Held-out predictions per second (NaN when nothing was timed).</summary>
    public double PredictionsPerSecond => PredictionSeconds > 0 ? Predictions / PredictionSeconds : double.NaN;

    /// <summary>Users ranked over the full catalog per second (NaN when nothing was timed).</summary>
    public double UsersPerSecond => RankingSeconds > 0 ? UsersRanked / RankingSeconds : double.NaN;
}
