namespace NetflixRec.Training.Tuning;

/// <summary>
/// What a tuning run optimizes on the validation slice. Rating models: RMSE. The ranking models (trained on positives
/// with ranking losses, judged by top-N lists): NDCG@20. Samplers and pruners minimize a loss, so NDCG enters negated.
/// </summary>
public enum TuningObjective
{
    Rmse,
    Ndcg,
}

public static class TuningObjectives
{
    /// <summary>The models whose study metric is ranking quality (see the study's findings).</summary>
    public static IReadOnlyList<string> RankingModels { get; } = ["mult-vae", "lightgcn"];

    public static TuningObjective For(string model) => RankingModels.Contains(model) ? TuningObjective.Ndcg : TuningObjective.Rmse;

    /// <summary>The metric a reader sees, from the minimized loss.</summary>
    public static double MetricOf(this TuningObjective objective, double loss) => objective == TuningObjective.Ndcg ? -loss : loss;

    /// <summary>The loss the samplers minimize, from the metric.</summary>
    public static double LossOf(this TuningObjective objective, double metric) => objective == TuningObjective.Ndcg ? -metric : metric;

    public static string Label(this TuningObjective objective) => objective == TuningObjective.Ndcg ? "validation NDCG@20" : "validation RMSE";

    public static string Key(this TuningObjective objective) => objective == TuningObjective.Ndcg ? "ndcg@20" : "rmse";
}
