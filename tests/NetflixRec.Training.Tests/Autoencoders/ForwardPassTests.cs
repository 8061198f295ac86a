using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Tests.MatrixFactorization;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>Each trained model's inference on a hand-built input against the output computed by hand.</summary>
[Collection(TorchCollection.Name)]
public sealed class ForwardPassTests
{
    // User 0 rated movie 0 with 4 stars and movie 2 with 2; user 1 rated nothing.
    private static readonly RatingIndex s_history = RatingIndex.ByUser(MfFixtures.Table([(0, 0, 4), (0, 2, 2)]), users: 2);

    [Fact]
    public void AutoRecUser_HandBuiltInput_MatchesHandComputedOutput()
    {
        // h = sigmoid(4·[0.5, 0] + 2·[−1, 0.25] + [0, −0.5]) = sigmoid([0, 0]) = [0.5, 0.5].
        var input = new DenseLayer(3, 2, new float[] { 0.5f, 0f, 9f, 9f, -1f, 0.25f }, new float[] { 0f, -0.5f });
        var output = new OutputLayer(3, 2, new float[] { 1f, 2f, 3f, -1f, 0f, 4f }, new float[] { 0.5f, 1f, -1f });
        var model = new UserAutoencoderModel("autorec-u", Activation.Sigmoid, input, [], output, s_history);
        var predictions = new float[3];
        var scores = new float[6];

        model.Predict([0, 0, 0], [0, 1, 2], predictions);
        model.ScoreAll([0, 1], scores);

        Assert.Equal([2f, 2f, 1f], predictions);
        Assert.Equal([2f, 2f, 1f], scores[..3]);
        // A user without ratings: h = sigmoid(bias) = [0.5, sigmoid(−0.5)].
        float h1 = 1f / (1f + MathF.Exp(0.5f));
        Assert.Equal(0.5f + (0.5f * 1f) + (h1 * 2f), scores[3], 1e-5);
    }

    [Fact]
    public void DeepAe_HandBuiltInput_MatchesHandComputedOutput()
    {
        // Pre-activations of the first layer: 4·[0.25, −0.25] + 2·[0, 0] + [0, 0] = [1, −1].
        var input = new DenseLayer(3, 2, new float[] { 0.25f, -0.25f, 7f, 7f, 0f, 0f }, new float[] { 0f, 0f });
        var hidden = new DenseLayer(2, 1, new float[] { 1f, 2f }, new float[] { 0.5f });
        var output = new OutputLayer(3, 1, new float[] { 1f, -2f, 0.5f }, new float[] { 3f, 3f, 3f });
        var model = new UserAutoencoderModel("deep-ae", Activation.Selu, input, [hidden], output, s_history);
        var predictions = new float[3];

        model.Predict([0, 0, 0], [0, 1, 2], predictions);

        double code = Selu((1 * Selu(1)) + (2 * Selu(-1)) + 0.5);
        Assert.Equal(3 + code, predictions[0], 1e-5);
        Assert.Equal(3 - (2 * code), predictions[1], 1e-5);
        Assert.Equal(3 + (0.5 * code), predictions[2], 1e-5);
    }

    [Fact]
    public void AutoRecUser_WithRowMean_AddsTheUsersShrunkMeanInputRating()
    {
        var input = new DenseLayer(3, 2, new float[] { 0.5f, 0f, 9f, 9f, -1f, 0.25f }, new float[] { 0f, -0.5f });
        var output = new OutputLayer(3, 2, new float[] { 1f, 2f, 3f, -1f, 0f, 4f }, new float[] { 0.5f, 1f, -1f });
        var model = new UserAutoencoderModel("autorec-u", Activation.Sigmoid, input, [], output, s_history, new RowMean(Shrinkage: 2f, Prior: 3f));
        var predictions = new float[3];
        var scores = new float[6];

        model.Predict([0, 0, 0], [0, 1, 2], predictions);
        model.ScoreAll([0, 1], scores);

        // User 0: ū = (4 + 2 + 2·3) / (2 + 2) = 3; user 1 (no ratings): ū = the prior, 3.
        Assert.Equal([5f, 5f, 4f], predictions);
        Assert.Equal([5f, 5f, 4f], scores[..3]);
        float h1 = 1f / (1f + MathF.Exp(0.5f));
        Assert.Equal(3f + 0.5f + (0.5f * 1f) + (h1 * 2f), scores[3], 1e-5);
    }

    [Fact]
    public void AutoRecItem_HandBuiltInput_MatchesHandComputedOutput()
    {
        // Movie 0 is rated 5 by user 0 and 3 by user 1; movie 1 by nobody.
        RatingIndex byMovie = RatingIndex.ByMovie(MfFixtures.Table([(0, 0, 5), (1, 0, 3)]), movies: 2);
        var encoder = new DenseLayer(2, 1, new float[] { 0.2f, -0.2f }, new float[] { -0.4f });
        float[] codes = ItemAutoRecModel.ItemCodes(encoder, byMovie);
        var model = new ItemAutoRecModel(new OutputLayer(2, 1, new float[] { 2f, 4f }, new float[] { 1f, 0f }), codes, itemBias: new float[] { 0.25f, -1f });
        var predictions = new float[4];

        model.Predict([0, 1, 0, 1], [0, 0, 1, 1], predictions);

        // code(movie 0) = sigmoid(5·0.2 − 3·0.2 − 0.4) = 0.5; code(movie 1) = sigmoid(−0.4); r̂ = W[u]·code + b[u] + item_bias.
        float empty = 1f / (1f + MathF.Exp(0.4f));
        Assert.Equal([0.5f, empty], codes);
        Assert.Equal(2.25f, predictions[0], 1e-5);
        Assert.Equal(2.25f, predictions[1], 1e-5);
        Assert.Equal(1f + (2f * empty) - 1f, predictions[2], 1e-5);
        Assert.Equal((4f * empty) - 1f, predictions[3], 1e-5);
    }

    [Fact]
    public void MultVae_HandBuiltInput_MatchesHandComputedOutput()
    {
        // User 0: movie 0 (4 stars) is a positive at threshold 4, movie 2 (2 stars) is not: x = [1, 0, 0] after L2 norm.
        var input = new DenseLayer(3, 1, new float[] { 0.5f, 3f, -2f }, new float[] { 0.1f });
        var mu = new DenseLayer(1, 1, new float[] { 2f }, new float[] { -0.5f });
        var decoder = new DenseLayer(1, 1, new float[] { 1.5f }, new float[] { 0.2f });
        var output = new OutputLayer(3, 1, new float[] { 1f, -1f, 2f }, new float[] { 0f, 0.5f, -1f });
        var model = new MultVaeModel(input, mu, decoder, output, threshold: 4, new RatingCalibration(5f, 0.5f), s_history);
        var scores = new float[3];
        var predictions = new float[3];

        model.ScoreAll([0], scores);
        model.Predict([0, 0, 0], [0, 1, 2], predictions);

        double d = Math.Tanh((1.5 * ((2 * Math.Tanh(0.5 + 0.1)) - 0.5)) + 0.2);
        double[] logits = [d, -d + 0.5, (2 * d) - 1];
        double logSum = Math.Log(logits.Sum(Math.Exp));
        for (int m = 0; m < 3; m++)
        {
            Assert.Equal(logits[m] - logSum, scores[m], 1e-5);
            Assert.Equal(5 + (0.5 * (logits[m] - logSum)), predictions[m], 1e-5);
        }
    }

    private static double Selu(double x) => 1.0507009873554805 * (x > 0 ? x : 1.6732632423543772 * (Math.Exp(x) - 1));
}
