using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Evaluation;

public sealed class RatingMetricsTests
{
    [Fact]
    public void PredictClipped_OutOfRangePredictions_AreClippedBeforeRmseAndMae()
    {
        // Predictions 6, 0.5, 3.5, 2 clip to 5, 1, 3.5, 2 against stars 5, 2, 3, 4:
        // errors 0, −1, 0.5, −2 → RMSE = √(5.25/4), MAE = 3.5/4.
        var model = new FakeModel(4, 1, [6f, 0.5f, 3.5f, 2f]);
        var table = Tables.Of((0, 0, 5), (1, 0, 2), (2, 0, 3), (3, 0, 4));

        float[] predictions = RatingMetrics.PredictClipped(model, table, threads: 2);

        Assert.Equal([5f, 1f, 3.5f, 2f], predictions);
        Assert.Equal(Math.Sqrt(5.25 / 4), RatingMetrics.Rmse(predictions, table.Ratings.Span), 1e-12);
        Assert.Equal(3.5 / 4, RatingMetrics.Mae(predictions, table.Ratings.Span), 1e-12);
        Assert.Equal(Math.Sqrt(5.25 / 4), RatingMetrics.Rmse(model, table), 1e-12);
    }

    [Fact]
    public void Rmse_OfModel_TableOfSeveralWaves_IsExactlyTheRmseOverAllPredictions()
    {
        // More rows than a wave of chunks on any machine (64 cores × 4 chunks of 16,384), and not a multiple of one.
        var random = new Random(5);
        const int Users = 1000, Movies = 600, Rows = 4_500_001;
        float[] scores = [.. Enumerable.Range(0, Users * Movies).Select(_ => (float)((random.NextDouble() * 6) - 0.5))];
        var model = new FakeModel(Users, Movies, scores);
        var table = new NetflixRec.Training.Data.Transforms.RatingTable(
            Enumerable.Range(0, Rows).Select(_ => random.Next(Users)).ToArray(),
            Enumerable.Range(0, Rows).Select(_ => (short)random.Next(Movies)).ToArray(),
            Enumerable.Range(0, Rows).Select(_ => (byte)random.Next(1, 6)).ToArray(),
            new short[Rows]);

        double expected = RatingMetrics.Rmse(RatingMetrics.PredictClipped(model, table, threads: 3), table.Ratings.Span);

        Assert.Equal(expected, RatingMetrics.Rmse(model, table));
    }

    [Fact]
    public void Rmse_EmptyTable_IsNaN()
    {
        Assert.True(double.IsNaN(RatingMetrics.Rmse(ReadOnlySpan<float>.Empty, ReadOnlySpan<byte>.Empty)));
        Assert.True(double.IsNaN(RatingMetrics.Mae(ReadOnlySpan<float>.Empty, ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void Rmse_MisalignedSeries_Throws()
    {
        Assert.Throws<ArgumentException>(() => RatingMetrics.Rmse([1f, 2f], [(byte)1]));
    }

    [Fact]
    public void OracleRmse_ExpectedRatingsAgainstStars_IsUnclippedRmse()
    {
        // Oracle 3.5, 4.25, 0.5 against stars 4, 4, 1: errors −0.5, 0.25, −0.5 (the 0.5 is not clipped).
        double rmse = RatingMetrics.OracleRmse([3.5f, 4.25f, 0.5f], [(byte)4, (byte)4, (byte)1]);

        Assert.Equal(Math.Sqrt((0.25 + 0.0625 + 0.25) / 3), rmse, 1e-12);
    }

    [Fact]
    public void Compute_WithOracle_ReportsOracleRmseAndModelAgainstOracle()
    {
        var heldOut = Tables.Of((0, 0, 4), (1, 0, 2));
        UserItemIndex train = UserItemIndex.Build(Tables.Of((0, 1, 3)), 2, 2);

        RatingAccuracy accuracy = RatingAccuracy.Compute(new[] { 3f, 3f }, heldOut, new[] { 3.5f, 2.5f }, train);

        Assert.Equal(2, accuracy.Ratings);
        Assert.Equal(1.0, accuracy.Rmse, 1e-12);
        Assert.Equal(1.0, accuracy.Mae, 1e-12);
        Assert.Equal(0.5, accuracy.OracleRmse!.Value, 1e-12);
        Assert.Equal(Math.Sqrt((0.25 + 0.25) / 2), accuracy.RmseVsOracle!.Value, 1e-12);
    }

    [Fact]
    public void Compute_WithoutOracle_LeavesOracleFieldsNull()
    {
        var heldOut = Tables.Of((0, 0, 4));
        UserItemIndex train = UserItemIndex.Build(Tables.Of(), 1, 1);

        RatingAccuracy accuracy = RatingAccuracy.Compute(new[] { 4f }, heldOut, ReadOnlyMemory<float>.Empty, train);

        Assert.Null(accuracy.OracleRmse);
        Assert.Null(accuracy.RmseVsOracle);
        Assert.Equal(0.0, accuracy.Rmse);
    }

    [Fact]
    public void Compute_OracleOfWrongLength_Throws()
    {
        var heldOut = Tables.Of((0, 0, 4), (0, 1, 4));
        UserItemIndex train = UserItemIndex.Build(Tables.Of(), 1, 2);

        Assert.Throws<ArgumentException>(() => RatingAccuracy.Compute(new[] { 4f, 4f }, heldOut, new[] { 4f }, train));
    }
}
