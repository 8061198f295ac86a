using System.Globalization;
using System.Text;

namespace NetflixRec.Training.Reporting;

/// <summary>Where and how the study ran: printed at the top of the report and stored in results.json.</summary>
public sealed record StudyContext(string Command, string Dataset, string DataFingerprint, long TrainRatings, long ProbeRatings, int Users, int Movies,
    string Machine, string Started, double Seconds);

/// <summary>report.md: the results table with the bootstrap intervals, the findings, the charts and RMSE by activity.</summary>
public static class StudyReport
{
    public const string FileName = "report.md";

    public static string Render(StudyContext context, IReadOnlyList<StudyRow> rows, IReadOnlyList<RmseDifference> differences,
        IReadOnlyList<string> findings, IReadOnlyList<string> charts)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        text.AppendLine("# NetflixRec comparative study").AppendLine();
        text.AppendLine($"- Command: `{context.Command}`");
        text.AppendLine($"- Dataset: {context.Dataset} (fingerprint `{context.DataFingerprint}`): {context.TrainRatings:N0} training ratings, " +
            $"{context.ProbeRatings:N0} probe ratings, {context.Users:N0} users, {context.Movies:N0} movies");
        text.AppendLine($"- Machine: {context.Machine}");
        text.AppendLine($"- Started {context.Started}, ran {context.Seconds:F0} s").AppendLine();

        text.AppendLine("## Results").AppendLine();
        text.AppendLine("Probe RMSE/MAE of predictions clipped to 1–5 stars; ranking over the full catalog, excluding each user's training " +
            "ratings, a probe rating of 4+ stars counts as relevant. Δ best: RMSE minus the best model's, with a 95% paired-bootstrap " +
            "interval over users. train CPU s: CPU time of the training (all threads), steadier than wall time on shared cores. Memory: peak resident set of the process while training (the loaded data included). ONNX ms/user: ONNX Runtime (CPU) scoring every movie, per user, batches of 64; " +
            "in-process ms/user: the same users with the trained model in .NET (the floor a server adds gRPC to).").AppendLine();
        text.AppendLine("| model | family | RMSE | Δ best [95% CI] | MAE | Recall@20 | NDCG@20 | coverage@20 | train s | train CPU s | epoch s | memory MB | model MB | ONNX ms/user | in-process ms/user |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (StudyRow row in rows)
        {
            RmseDifference? difference = differences.FirstOrDefault(d => d.Model == row.Model);
            string delta = difference is null ? "best" : $"{Signed(difference.Difference)} [{Signed(difference.Low)}, {Signed(difference.High)}]";
            text.AppendLine($"| {row.Model} | {row.Family} | {F(row.Rmse, "F4")} | {delta} | {F(row.Mae, "F4")} | {F(row.Recall, "F4")} | {F(row.Ndcg, "F4")} | " +
                $"{F(row.Coverage, "F3")} | {F(row.TrainSeconds, "F1")} | {F(row.TrainCpuSeconds, "F1")} | {F(row.EpochSeconds, "F2")} | {Megabytes(row.PeakRssBytes)} | " +
                $"{Megabytes(row.ModelBytes)} | {(row.OnnxError is null ? F(row.OnnxMsPerUser, "F3") : "not exported")} | {F(row.InProcessMsPerUser, "F3")} |");
        }

        foreach (StudyRow row in rows.Where(r => r.OnnxError is not null))
        {
            text.AppendLine().AppendLine($"{row.Model}: not exported ({row.OnnxError}).");
        }

        if (rows.FirstOrDefault(r => r.OracleRmse is not null)?.OracleRmse is double oracle)
        {
            text.AppendLine().AppendLine($"Oracle RMSE (the generator's expected rating before noise; no model can beat it on average): {F(oracle, "F4")}");
        }

        AppendBudgets(text, rows);
        AppendTuning(text, rows);
        AppendSeeds(text, rows);
        text.AppendLine().AppendLine("## Findings").AppendLine();
        foreach (string finding in findings)
        {
            text.AppendLine($"- {finding}");
        }

        text.AppendLine().AppendLine("## Charts").AppendLine();
        foreach (string chart in charts)
        {
            text.AppendLine($"![{Path.GetFileNameWithoutExtension(chart).Replace('_', ' ')}]({chart})").AppendLine();
        }

        AppendBuckets(text, rows);
        text.AppendLine().AppendLine("Hyperparameters, seeds, learning curves and every metric per cutoff: `results.json`.");
        return text.ToString();
    }

    private static void AppendTuning(StringBuilder text, IReadOnlyList<StudyRow> rows)
    {
        StudyRow[] tuned = [.. rows.Where(r => r.Tuning is not null)];
        if (tuned.Length == 0)
        {
            return;
        }

        text.AppendLine().AppendLine("## Tuning").AppendLine();
        text.AppendLine($"Every model was tuned with the same budget of {F(tuned[0].Tuning!.BudgetCpuSeconds, "F0")} CPU seconds (TPE after 8 random " +
            "trials, successive halving of rating models' learning curves; trial 0 is the default) on the validation slice of the training " +
            "data; the probe was touched once, by the configuration chosen. Validation metric: RMSE, or NDCG@20 for the ranking models.").AppendLine();
        text.AppendLine("| model | objective | CPU s spent | trials | pruned | validation default → tuned | probe RMSE default → tuned | Recall@20 default → tuned | tuned parameters |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (StudyRow row in tuned)
        {
            TuningSummary t = row.Tuning!;
            ProbeScores? d = row.Default;
            text.AppendLine($"| {row.Model} | {t.Objective} | {F(t.CpuSeconds, "F0")} | {t.Trials} | {t.Pruned} | {F(t.DefaultValidation, "F4")} → {F(t.BestValidation, "F4")} | " +
                $"{F(d?.Rmse ?? double.NaN, "F4")} → {F(row.Rmse, "F4")} | {F(d?.Recall ?? double.NaN, "F4")} → {F(row.Recall, "F4")} | `{t.BestParameters}` |");
        }
    }

    /// <summary>
    /// How much each iterated model trained and why it stopped — shown when some model ran partial epochs or hit its
    /// max_epochs while still improving, because then its row is a budget's result, not a converged model's.
    /// </summary>
    private static void AppendBudgets(StringBuilder text, IReadOnlyList<StudyRow> rows)
    {
        StudyRow[] iterated = [.. rows.Where(r => r.Budget is not null)];
        if (!iterated.Any(r => r.Budget!.EpochFraction < 1 || r.Budget.StoppedBy.Contains("still improving", StringComparison.Ordinal)))
        {
            return;
        }

        text.AppendLine().AppendLine("## Training budget").AppendLine();
        text.AppendLine("Epochs run of max_epochs, the share of each epoch's batches that ran (epoch_fraction), the passes over the training " +
            "ratings that make, the epoch kept, and why training ended. A model stopped by max_epochs while its validation RMSE still " +
            "improved was cut off by its budget: its row is not its converged score. For partial epochs, epoch s is per partial epoch.").AppendLine();
        text.AppendLine("| model | epochs (max) | share of each epoch | passes over the ratings | epoch kept | stopped by |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (StudyRow row in iterated)
        {
            TrainingBudget b = row.Budget!;
            text.AppendLine($"| {row.Model} | {b.Epochs} ({b.MaxEpochs}) | {F(b.EpochFraction, "0.###")} | {F(b.Passes, "0.###")} | {b.BestEpoch} | {b.StoppedBy} |");
        }
    }

    private static void AppendSeeds(StringBuilder text, IReadOnlyList<StudyRow> rows)
    {
        StudyRow[] repeated = [.. rows.Where(r => r.Seeds is { Count: > 1 })];
        if (repeated.Length == 0)
        {
            return;
        }

        text.AppendLine().AppendLine("## Seed repeats").AppendLine();
        text.AppendLine("Each model trained again with further seeds (its validation slice and initialization change with the seed): run-to-run noise, beside the bootstrap intervals above.").AppendLine();
        text.AppendLine("| model | seeds | RMSE mean ± sd | Recall@20 mean ± sd | NDCG@20 mean ± sd |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (StudyRow row in repeated)
        {
            SeedSpread s = row.Seeds!;
            text.AppendLine($"| {row.Model} | {s.Count} | {F(s.RmseMean, "F4")} ± {F(s.RmseSd, "F4")} | {F(s.RecallMean, "F4")} ± {F(s.RecallSd, "F4")} | " +
                $"{F(s.NdcgMean, "F4")} ± {F(s.NdcgSd, "F4")} |");
        }
    }

    private static void AppendBuckets(StringBuilder text, IReadOnlyList<StudyRow> rows)
    {
        string[] buckets = [.. rows.SelectMany(r => r.RmseByActivity.Where(b => b.Users > 0).Select(b => b.Bucket)).Distinct()];
        if (buckets.Length == 0)
        {
            return;
        }

        text.AppendLine("## RMSE by user activity").AppendLine();
        text.AppendLine("| model | " + string.Join(" | ", buckets) + " |");
        text.AppendLine("|---|" + string.Concat(buckets.Select(_ => "---|")));
        foreach (StudyRow row in rows)
        {
            IEnumerable<string> cells = buckets.Select(b => F(row.RmseByActivity.FirstOrDefault(x => x.Bucket == b)?.Rmse ?? double.NaN, "F4"));
            text.AppendLine($"| {row.Model} | " + string.Join(" | ", cells) + " |");
        }

        StudyRow? any = rows.FirstOrDefault(r => r.RmseByActivity.Count > 0);
        if (any is not null)
        {
            text.AppendLine("| users | " + string.Join(" | ", buckets.Select(b => (any.RmseByActivity.FirstOrDefault(x => x.Bucket == b)?.Users ?? 0).ToString("N0", CultureInfo.InvariantCulture))) + " |");
        }
    }

    private static string F(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Signed(double value) => value.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture);

    private static string Megabytes(long bytes) => bytes <= 0 ? "n/a" : (bytes / 1048576.0).ToString("F0", CultureInfo.InvariantCulture);
}
