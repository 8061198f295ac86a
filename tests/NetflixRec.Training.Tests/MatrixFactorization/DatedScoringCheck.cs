using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>The check the time models' tests share: the batched <see cref="TimeAwareModel.ScoreAll"/> of users on their days
/// equals <see cref="TimeAwareModel.Predict"/> for every movie.</summary>
internal static class DatedScoringCheck
{
    public static void ScoreAllEqualsPredict(TimeAwareModel model, int[] users, short[] days)
    {
        var scores = new float[users.Length * model.Movies];

        model.ScoreAll(users, days, scores);

        for (int i = 0; i < users.Length; i++)
        {
            for (int m = 0; m < model.Movies; m++)
            {
                Assert.Equal(model.Predict(users[i], m, days[i]), scores[(i * model.Movies) + m], 1e-5f);
            }
        }
    }
}
