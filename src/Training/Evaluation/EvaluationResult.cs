namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Everything one evaluation measured for one model: rating accuracy (RMSE, MAE, oracle RMSE, RMSE by activity),
/// ranking quality per cutoff (Recall, NDCG, MAP, coverage, popularity bias) and timings.
/// <see cref="EvaluationJson"/> turns it into the <c>evaluate --json</c> object.
/// </summary>
public sealed record EvaluationResult(string Model, string Family, RatingAccuracy Accuracy, RankingSummary Ranking, EvaluationTimings Timings)
{
    public double Rmse => Accuracy.Rmse;

    public double Mae => Accuracy.Mae;

    /// <summary>RMSE of the oracle's expected ratings against the actual stars; null without an oracle.</summary>
    public double? OracleRmse => Accuracy.OracleRmse;

    /// <summary>The ranking metrics at <see cref="EvaluationOptions.PrimaryCutoff"/> (20).</summary>
    public CutoffMetrics AtPrimaryCutoff => Ranking.At(EvaluationOptions.PrimaryCutoff);
}
