using System.Globalization;

namespace NetflixRec.Training.Reporting;

/// <summary>
/// The study's conclusions in plain words, derived from the numbers alone (nothing here is written by hand): who wins on
/// rating accuracy and whether the margin is beyond resampling noise, who wins on ranking, who wins for cold and heavy
/// users, what the accuracy costs, and how far the best model is from the noise floor.
/// </summary>
public static class Findings
{
    public static IReadOnlyList<string> Derive(IReadOnlyList<StudyRow> rows, IReadOnlyList<RmseDifference> differences)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(differences);
        var findings = new List<string>();
        StudyRow[] rated = [.. rows.Where(r => double.IsFinite(r.Rmse)).OrderBy(r => r.Rmse)];
        if (rated.Length == 0)
        {
            return findings;
        }

        StudyRow best = rated[0];
        if (rated.Length > 1)
        {
            StudyRow second = rated[1];
            RmseDifference? gap = differences.FirstOrDefault(d => d.Model == second.Model);
            string noise = gap is null ? string.Empty
                : gap.Significant
                    ? $" — beyond resampling noise (95% CI of the gap {F(gap.Low)} to {F(gap.High)})"
                    : $" — within resampling noise (95% CI of the gap {F(gap.Low)} to {F(gap.High)} includes 0)";
            findings.Add($"Rating accuracy: **{best.Model}** ({best.Family}) has the lowest probe RMSE, {F(best.Rmse)}, " +
                $"{F(second.Rmse - best.Rmse)} ahead of {second.Model}{noise}.");
        }
        else
        {
            findings.Add($"Rating accuracy: {best.Model} has probe RMSE {F(best.Rmse)}.");
        }

        if (rows.FirstOrDefault(r => r.Model == "bias") is { } bias && bias != best)
        {
            findings.Add($"Against the bias baseline ({F(bias.Rmse)}), {best.Model} removes {P((bias.Rmse - best.Rmse) / bias.Rmse)} of the RMSE.");
        }

        if (best.OracleRmse is double oracle)
        {
            findings.Add($"The generator's noise floor (oracle RMSE) is {F(oracle)}: {best.Model} is {F(best.Rmse - oracle)} above it, " +
                "the part of the error that better models could still remove.");
        }

        StudyRow[] ranked = [.. rows.Where(r => double.IsFinite(r.Recall)).OrderByDescending(r => r.Recall)];
        if (ranked.Length > 0)
        {
            StudyRow top = ranked[0];
            string versus = top == best || !double.IsFinite(best.Recall) || best.Recall <= 0 ? string.Empty
                : $", {Ratio(top.Recall / best.Recall)} the Recall@20 of the most accurate rating model ({best.Model}, {F(best.Recall)})";
            findings.Add($"Top-N ranking: **{top.Model}** ({top.Family}) leads with Recall@20 {F(top.Recall)} and NDCG@20 {F(top.Ndcg)}{versus}. " +
                "Rating accuracy and ranking quality are different tasks: a low RMSE says little about finding the movies a user will watch.");
        }

        AddBucketWinner(findings, rows, first: true);
        AddBucketWinner(findings, rows, first: false);

        StudyRow? cheapest = rated.Where(r => r.Rmse <= best.Rmse + 0.005 && r.TrainSeconds > 0).MinBy(r => r.TrainSeconds);
        if (cheapest is not null && cheapest != best && best.TrainSeconds > 0)
        {
            findings.Add($"Cost: {cheapest.Model} comes within 0.005 RMSE of the best in {F1(cheapest.TrainSeconds)} s of training, " +
                $"{Ratio(best.TrainSeconds / cheapest.TrainSeconds)} faster than {best.Model} ({F1(best.TrainSeconds)} s).");
        }
        else if (best.TrainSeconds > 0)
        {
            StudyRow? fastest = rated.Where(r => r.TrainSeconds > 0).MinBy(r => r.TrainSeconds);
            if (fastest is not null && fastest != best)
            {
                findings.Add($"Cost: the most accurate model trains in {F1(best.TrainSeconds)} s; the fastest, {fastest.Model}, in " +
                    $"{F1(fastest.TrainSeconds)} s at RMSE {F(fastest.Rmse)}.");
            }
        }

        AddTuningChanges(findings, rows);
        return findings;
    }

    /// <summary>
    /// With <c>compare --tune</c>: which conclusions tuning changed — the winner by RMSE and by Recall@20 under defaults
    /// against after tuning, the models that changed places, and the largest gains.
    /// </summary>
    private static void AddTuningChanges(List<string> findings, IReadOnlyList<StudyRow> rows)
    {
        StudyRow[] tuned = [.. rows.Where(r => r.Default is not null)];
        if (tuned.Length == 0)
        {
            return;
        }

        string[] byTuned = [.. tuned.Where(r => double.IsFinite(r.Rmse)).OrderBy(r => r.Rmse).Select(r => r.Model)];
        string[] byDefault = [.. tuned.Where(r => double.IsFinite(r.Default!.Rmse)).OrderBy(r => r.Default!.Rmse).Select(r => r.Model)];
        if (byTuned.Length > 0 && byDefault.Length > 0)
        {
            findings.Add(byTuned[0] == byDefault[0]
                ? $"Tuning: {byTuned[0]} is the most accurate both with defaults and tuned; the RMSE order {(byTuned.SequenceEqual(byDefault) ? "is unchanged" : $"changes from {string.Join(" < ", byDefault)} to {string.Join(" < ", byTuned)}")}."
                : $"Tuning changes the winner on RMSE: {byDefault[0]} with defaults, **{byTuned[0]}** tuned (order with defaults {string.Join(" < ", byDefault)}; tuned {string.Join(" < ", byTuned)}).");
        }

        string[] rankTuned = [.. tuned.Where(r => double.IsFinite(r.Recall)).OrderByDescending(r => r.Recall).Select(r => r.Model)];
        string[] rankDefault = [.. tuned.Where(r => double.IsFinite(r.Default!.Recall)).OrderByDescending(r => r.Default!.Recall).Select(r => r.Model)];
        if (rankTuned.Length > 0 && rankDefault.Length > 0 && rankTuned[0] != rankDefault[0])
        {
            findings.Add($"Tuning changes the winner on Recall@20: {rankDefault[0]} with defaults, **{rankTuned[0]}** tuned.");
        }

        StudyRow? gain = tuned.Where(r => double.IsFinite(r.Rmse) && double.IsFinite(r.Default!.Rmse)).MaxBy(r => r.Default!.Rmse - r.Rmse);
        if (gain is not null)
        {
            findings.Add($"The largest RMSE gain from tuning: {gain.Model}, {F(gain.Default!.Rmse)} → {F(gain.Rmse)}; " +
                string.Join(", ", tuned.Where(r => r != gain && double.IsFinite(r.Rmse) && double.IsFinite(r.Default!.Rmse))
                    .Select(r => $"{r.Model} {(r.Default!.Rmse - r.Rmse >= 0 ? "−" : "+")}{F(Math.Abs(r.Default!.Rmse - r.Rmse))}")) + ".");
        }
    }

    private static void AddBucketWinner(List<string> findings, IReadOnlyList<StudyRow> rows, bool first)
    {
        var perModel = rows
            .Select(r => (Row: r, Bucket: first ? r.RmseByActivity.FirstOrDefault(b => b.Users > 0) : r.RmseByActivity.LastOrDefault(b => b.Users > 0)))
            .Where(x => x.Bucket is not null && double.IsFinite(x.Bucket.Rmse))
            .ToArray();
        if (perModel.Length < 2)
        {
            return;
        }

        var winner = perModel.MinBy(x => x.Bucket!.Rmse);
        var runnerUp = perModel.Where(x => x.Row != winner.Row).MinBy(x => x.Bucket!.Rmse);
        string who = first ? "Cold users" : "Heavy users";
        findings.Add($"{who} ({winner.Bucket!.Bucket} training ratings, {winner.Bucket.Users:N0} users): {winner.Row.Model} is best with RMSE " +
            $"{F(winner.Bucket.Rmse)} (next: {runnerUp.Row.Model}, {F(runnerUp.Bucket!.Rmse)}).");
    }

    private static string F(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string F1(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    private static string P(double share) => share.ToString("P1", CultureInfo.InvariantCulture);

    private static string Ratio(double ratio) => ratio.ToString("F1", CultureInfo.InvariantCulture) + "×";
}
