using System.Text.Json.Nodes;
using NetflixRec.Training.Reporting;

namespace NetflixRec.Training.Tests.Reporting;

/// <summary>The report's training-budget table: how much each model trained, and whether a budget cut it off.</summary>
public sealed class TrainingBudgetTests
{
    private static readonly StudyContext s_context = new("compare", "data", "f", 10, 2, 3, 4, "test machine", "2026-11-30", 1);

    [Theory]
    [InlineData(2, 2, 2, true, "max_epochs, validation still improving")]
    [InlineData(2, 2, 1, true, "max_epochs")]
    [InlineData(3, 10, 1, true, "early stopping")]
    [InlineData(2, 2, 2, false, "max_epochs (keeps its last epoch)")]
    public void StoppedBy_SaysWhyTrainingEnded(int epochs, int maxEpochs, int best, bool stopsEarly, string expected) =>
        Assert.Equal(expected, new TrainingBudget(epochs, maxEpochs, 1, best, stopsEarly).StoppedBy);

    [Fact]
    public void FromJson_ReadsTheCurveAndConfig_PassesAreEpochsTimesTheShare()
    {
        TrainingBudget budget = TrainingBudget.FromJson(Row("gcmc", epochs: 2, maxEpochs: 2, best: 2, fraction: 0.25))!;

        Assert.Equal(new TrainingBudget(2, 2, 0.25, 2, true), budget);
        Assert.Equal(0.5, budget.Passes, 12);
        Assert.Null(TrainingBudget.FromJson(new JsonObject { ["model"] = "x", ["config"] = new JsonObject() }));
    }

    [Fact]
    public void Report_ListsBudgets_WhenAModelRanPartialEpochs()
    {
        StudyRow[] rows = [StudyRow.FromJson(Row("bias", 3, 6, 2, null)), StudyRow.FromJson(Row("gcmc", 2, 2, 2, 0.25))];

        string report = StudyReport.Render(s_context, rows, [], [], []);

        Assert.Contains("## Training budget", report, StringComparison.Ordinal);
        Assert.Contains("| gcmc | 2 (2) | 0.25 | 0.5 | 2 | max_epochs, validation still improving |", report, StringComparison.Ordinal);
        Assert.Contains("| bias | 3 (6) | 1 | 3 | 2 | early stopping |", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_LeavesTheTableOut_WhenEveryModelStoppedOnItsOwn()
    {
        StudyRow[] rows = [StudyRow.FromJson(Row("bias", 3, 6, 2, null)), StudyRow.FromJson(Row("svdpp", 8, 60, 3, null))];

        Assert.DoesNotContain("## Training budget", StudyReport.Render(s_context, rows, [], [], []), StringComparison.Ordinal);
    }

    private static JsonObject Row(string model, int epochs, int maxEpochs, int best, double? fraction)
    {
        var config = new JsonObject { ["max_epochs"] = maxEpochs, ["patience"] = 3 };
        if (fraction is { } f)
        {
            config["epoch_fraction"] = f;
        }

        var curve = new JsonArray();
        for (int e = 1; e <= epochs; e++)
        {
            curve.Add(new JsonObject { ["epoch"] = e, ["train_rmse"] = 1.0, ["validation_rmse"] = 1.0 - (0.01 * e), ["seconds"] = 1.0 });
        }

        return new JsonObject { ["model"] = model, ["family"] = "f", ["learning_curve"] = curve, ["best_epoch"] = best, ["config"] = config };
    }
}
