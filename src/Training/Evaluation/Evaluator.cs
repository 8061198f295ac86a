using System.Diagnostics;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// The evaluation protocol shared by every model family: rating accuracy on the held-out table and full-catalog top-N
/// ranking of the held-out users. The metric functions it calls are pure; this class adds the one edge effect, the
/// clock, to report throughput.
/// </summary>
public static class Evaluator
{
    /// <summary>Indexes the data and evaluates <paramref name="model"/>; <paramref name="oracle"/> is aligned with <paramref name="heldOut"/> or empty.</summary>
    public static EvaluationResult Evaluate(IRatingModel model, RatingTable train, RatingTable heldOut, ReadOnlyMemory<float> oracle, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        var clock = Stopwatch.StartNew();
        EvaluationData data = EvaluationData.Prepare(train, heldOut, oracle, model.Users, model.Movies);
        return Measure(model, data, options, clock);
    }

    /// <summary>Evaluates <paramref name="model"/> on data prepared once for several models.</summary>
    public static EvaluationResult Evaluate(IRatingModel model, EvaluationData data, EvaluationOptions options) =>
        Measure(model, data, options, Stopwatch.StartNew());

    private static EvaluationResult Measure(IRatingModel model, EvaluationData data, EvaluationOptions options, Stopwatch total)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (model.Users != data.Users || model.Movies != data.Movies)
        {
            throw new ArgumentException($"model '{model.Name}' covers {model.Users} users × {model.Movies} movies, the data {data.Users} × {data.Movies}", nameof(model));
        }

        long start = Stopwatch.GetTimestamp();
        float[] predictions = RatingMetrics.PredictClipped(model, data.HeldOut, options.Threads);
        double predictionSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        RatingAccuracy accuracy = RatingAccuracy.Compute(predictions, data.HeldOut, data.Oracle, data.Train);

        start = Stopwatch.GetTimestamp();
        RankingSummary ranking = RankingEvaluation.Evaluate(model, data, options);
        double rankingSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

        var timings = new EvaluationTimings(predictions.Length, predictionSeconds, ranking.UsersRanked, rankingSeconds, total.Elapsed.TotalSeconds);
        return new EvaluationResult(model.Name, model.Family, accuracy, ranking, timings);
    }
}
