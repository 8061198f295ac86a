using NetflixRec.Contracts;
using ScottPlot;

namespace NetflixRec.Training.Reporting;

/// <summary>
/// The study's charts as PNG files: learning curves, accuracy against training time, RMSE by user activity, and the
/// ranking metrics. Each function draws from the rows alone and writes one file; it returns the file name.
/// </summary>
public static class Charts
{
    public const string LearningCurvesFile = "learning_curves.png";
    public const string AccuracyVsTimeFile = "accuracy_vs_time.png";
    public const string RmseByActivityFile = "rmse_by_activity.png";
    public const string RankingFile = "ranking.png";

    private const int Width = 1100;
    private const int Height = 520;

    /// <summary>Writes every chart into <paramref name="directory"/>; returns the file names written.</summary>
    public static IReadOnlyList<string> WriteAll(IReadOnlyList<StudyRow> rows, string directory)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return
        [
            LearningCurves(rows, Path.Combine(directory, LearningCurvesFile)),
            AccuracyVsTime(rows, Path.Combine(directory, AccuracyVsTimeFile)),
            RmseByActivity(rows, Path.Combine(directory, RmseByActivityFile)),
            Ranking(rows, Path.Combine(directory, RankingFile)),
        ];
    }

    /// <summary>Validation RMSE per epoch, one line per iteratively trained model.</summary>
    public static string LearningCurves(IReadOnlyList<StudyRow> rows, string path)
    {
        var plot = new Plot();
        foreach (StudyRow row in rows.Where(r => r.Curve.Any(e => double.IsFinite(e.ValidationRmse))))
        {
            EpochRecord[] points = [.. row.Curve.Where(e => double.IsFinite(e.ValidationRmse))];
            double share = row.Budget?.EpochFraction ?? 1; // partial epochs: x counts passes over the ratings
            var line = plot.Add.Scatter(points.Select(e => e.Epoch * share).ToArray(), points.Select(e => e.ValidationRmse).ToArray());
            line.LegendText = row.Model;
        }

        plot.Title("Learning curves");
        plot.XLabel("epochs (passes over the training ratings)");
        plot.YLabel("validation RMSE (slice of training)");
        plot.ShowLegend(Edge.Right);
        return Save(plot, path);
    }

    /// <summary>Probe RMSE against training seconds (log scale): what accuracy costs.</summary>
    public static string AccuracyVsTime(IReadOnlyList<StudyRow> rows, string path)
    {
        var plot = new Plot();
        foreach (StudyRow row in rows.Where(r => double.IsFinite(r.Rmse) && r.TrainSeconds > 0))
        {
            double x = Math.Log10(row.TrainSeconds);
            var marker = plot.Add.Marker(x, row.Rmse);
            marker.MarkerSize = 10;
            marker.LegendText = row.Model;
            var label = plot.Add.Text(row.Model, x, row.Rmse);
            label.LabelFontSize = 12;
            label.OffsetX = 6;
        }

        if (rows.FirstOrDefault(r => r.OracleRmse is not null)?.OracleRmse is double oracle)
        {
            var line = plot.Add.HorizontalLine(oracle);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "oracle (noise floor)";
        }

        plot.Axes.Margins(left: 0.1, right: 0.25, bottom: 0.1, top: 0.1);
        double[] decades = [.. Enumerable.Range(-1, 6).Select(d => (double)d)];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(decades, [.. decades.Select(d => Math.Pow(10, d).ToString("G4", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Title("Accuracy against training time");
        plot.XLabel("training seconds (log scale)");
        plot.YLabel("probe RMSE");
        plot.ShowLegend(Edge.Right);
        return Save(plot, path);
    }

    /// <summary>Probe RMSE per bucket of users' training activity, one line per model (cold users on the left).</summary>
    public static string RmseByActivity(IReadOnlyList<StudyRow> rows, string path)
    {
        var plot = new Plot();
        string[] buckets = [.. rows.SelectMany(r => r.RmseByActivity.Where(b => b.Users > 0).Select(b => b.Bucket)).Distinct()];
        foreach (StudyRow row in rows.Where(r => r.RmseByActivity.Count > 0))
        {
            var points = row.RmseByActivity.Where(b => b.Users > 0 && double.IsFinite(b.Rmse))
                .Select(b => (X: (double)Array.IndexOf(buckets, b.Bucket), Y: b.Rmse)).ToArray();
            var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.LegendText = row.Model;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. buckets.Select((_, i) => (double)i)], buckets);
        plot.Title("RMSE by user activity");
        plot.XLabel("training ratings of the user");
        plot.YLabel("probe RMSE");
        plot.ShowLegend(Edge.Right);
        return Save(plot, path);
    }

    /// <summary>Recall@20 and NDCG@20 side by side for every model.</summary>
    public static string Ranking(IReadOnlyList<StudyRow> rows, string path)
    {
        var plot = new Plot();
        var recall = new List<Bar>();
        var ndcg = new List<Bar>();
        for (int i = 0; i < rows.Count; i++)
        {
            recall.Add(new Bar { Position = (3 * i) + 0.5, Value = Finite(rows[i].Recall), FillColor = Colors.SteelBlue });
            ndcg.Add(new Bar { Position = (3 * i) + 1.5, Value = Finite(rows[i].Ndcg), FillColor = Colors.DarkOrange });
        }

        plot.Add.Bars(recall).LegendText = "Recall@20";
        plot.Add.Bars(ndcg).LegendText = "NDCG@20";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. rows.Select((_, i) => (3.0 * i) + 1)], [.. rows.Select(r => r.Model)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title("Top-20 ranking over the full catalog");
        plot.YLabel("metric value");
        plot.ShowLegend(Edge.Right);
        return Save(plot, path);
    }

    private static double Finite(double value) => double.IsFinite(value) ? value : 0;

    private static string Save(Plot plot, string path)
    {
        plot.SavePng(path, Width, Height);
        return Path.GetFileName(path);
    }
}
