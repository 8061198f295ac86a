using ScottPlot;

namespace NetflixRec.Training.Reporting;

/// <summary>A tuning run's progress: the best validation metric found so far against the CPU seconds spent.</summary>
public static class TuningChart
{
    public const string FileName = "tuning.png";

    /// <param name="points">Per trial in order: cumulative CPU seconds at its end, its metric (NaN if none), and whether it
    /// completed (only complete trials can be the best; pruned ones show where their curve stood).</param>
    /// <param name="higherIsBetter">True for NDCG, false for RMSE.</param>
    public static string Write(string title, string metricLabel, IReadOnlyList<(double CpuSeconds, double Metric, bool Complete)> points, bool higherIsBetter, string path)
    {
        ArgumentNullException.ThrowIfNull(points);
        var plot = new Plot();
        var trialsX = new List<double>();
        var trialsY = new List<double>();
        var bestX = new List<double>();
        var bestY = new List<double>();
        double best = double.NaN;
        foreach ((double cpu, double metric, bool complete) in points)
        {
            if (!double.IsFinite(metric))
            {
                continue;
            }

            trialsX.Add(cpu);
            trialsY.Add(metric);
            if (!complete)
            {
                continue;
            }

            if (double.IsNaN(best) || (higherIsBetter ? metric > best : metric < best))
            {
                best = metric;
            }

            bestX.Add(cpu);
            bestY.Add(best);
        }

        var all = plot.Add.ScatterPoints(trialsX.ToArray(), trialsY.ToArray());
        all.LegendText = "trial (complete or pruned)";
        var line = plot.Add.Scatter(bestX.ToArray(), bestY.ToArray());
        line.ConnectStyle = ConnectStyle.StepHorizontal;
        line.LegendText = "best so far";
        line.LineWidth = 2;
        plot.Title(title);
        plot.XLabel("CPU seconds spent");
        plot.YLabel(metricLabel);
        plot.ShowLegend(Edge.Right);
        plot.SavePng(path, 900, 480);
        return Path.GetFileName(path);
    }
}
