using NetflixRec.Training.Cli;
using NetflixRec.Training.Data;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Evaluation;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>The study's evaluation index, let go during training and built again: the same data as the first.</summary>
[Collection(TinyDatasetCollection.Name)]
public sealed class StudyEvaluationTests(TinyDataset tiny)
{
    [Fact]
    public void Data_AfterRelease_IsIndexedAgainWithTheSameContent()
    {
        LocalDataset dataset = LocalDataset.Open(tiny.Dataset);
        var evaluation = new StudyEvaluation(dataset, dataset.LoadRatings(DatasetPartition.Train));
        EvaluationData first = evaluation.Data;
        Assert.Same(first, evaluation.Data);

        evaluation.Release();
        EvaluationData again = evaluation.Data;

        Assert.NotSame(first, again);
        Assert.True(first.Train.Items.Span.SequenceEqual(again.Train.Items.Span));
        Assert.True(first.Train.Offsets.Span.SequenceEqual(again.Train.Offsets.Span));
        Assert.True(first.Train.Ratings.Span.SequenceEqual(again.Train.Ratings.Span));
        Assert.True(first.HeldOut.Users.Span.SequenceEqual(again.HeldOut.Users.Span));
        Assert.True(first.HeldOut.Ratings.Span.SequenceEqual(again.HeldOut.Ratings.Span));
        Assert.True(first.HeldOutByUser.Offsets.Span.SequenceEqual(again.HeldOutByUser.Offsets.Span));
        Assert.True(first.Oracle.Span.SequenceEqual(again.Oracle.Span));
        Assert.True(first.Popularity.Counts.Span.SequenceEqual(again.Popularity.Counts.Span));
        Assert.True(first.Train.Items.Length > 0 && first.HeldOut.Count > 0);
    }
}
