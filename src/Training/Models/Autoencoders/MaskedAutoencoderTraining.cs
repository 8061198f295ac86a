using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// The epoch loop of the masked autoencoders: each epoch visits the rows (users or movies) in a seeded random order, in
/// mini-batches bounded by rows and by ratings; the training RMSE reported is the one measured on the way (input
/// corruption and dropout active), and <see cref="EpochLoop"/> adds the validation RMSE and early stopping.
/// </summary>
public static class MaskedAutoencoderTraining
{
    public static TrainedModel Run(EarlyStoppingOptions config, TrainingData data, IProgress<EpochRecord> progress, MaskedAutoencoderSpec spec,
        RatingIndex rows, int batchSize, int batchRatings, bool refeed, Func<MaskedAutoencoderNet, IRatingModel> snapshot, Func<IRatingModel, IRatingModel> keep)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (batchSize < 1 || batchRatings < 1)
        {
            throw new InvalidDataException($"batch_size ({batchSize}) and batch_ratings ({batchRatings}) must be at least 1");
        }

        using var net = new MaskedAutoencoderNet(spec, config.Seed);
        var batcher = new SparseBatcher(rows, spec.Columns);
        var random = new Random(config.Seed);
        int[] order = [.. Enumerable.Range(0, rows.Rows)];
        return EpochLoop.Run(config, data, progress, _ =>
        {
            random.Shuffle(order);
            double squaredError = 0;
            long entries = 0;
            foreach (ArraySegment<int> group in SparseBatcher.Groups(rows, order, batchSize, batchRatings))
            {
                SparseBatch batch = batcher.Build(group);
                if (!data.Budget.Allows(entries + batch.Entries, rows.Ratings.Length))
                {
                    break;
                }

                squaredError += net.TrainBatch(batch);
                entries += batch.Entries;
                if (refeed)
                {
                    net.RefeedBatch(batch);
                }
            }

            return new EpochOutcome(snapshot(net), entries == 0 ? double.NaN : Math.Sqrt(squaredError / entries));
        }, keep);
    }

    /// <summary>Checks the settings shared by the masked autoencoders; errors name the field.</summary>
    public static void Validate(string model, string layersField, IReadOnlyList<int> layers, double inputDropout, double codeDropout, double learningRate, double regularization)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ConfigCheck.Require(layers.Count > 0 && layers.All(w => w >= 1), model, layersField, "must give layer widths of at least 1");
        ConfigCheck.Require(inputDropout is >= 0 and < 1, model, "input_dropout", "must be in [0, 1)");
        ConfigCheck.Require(codeDropout is >= 0 and < 1, model, "code_dropout", "must be in [0, 1)");
        ConfigCheck.Require(learningRate > 0, model, "learning_rate", "must be positive");
        ConfigCheck.Require(regularization >= 0, model, "regularization", "must not be negative");
    }

    /// <summary>
    /// The mean rating of each column shrunk towards the global mean, (Σr + k·μ) / (n + k) with k = 10: the output
    /// biases' starting point (a column with few ratings starts near μ).
    /// </summary>
    public static float[] ShrunkMeans(ReadOnlySpan<int> columnOfRating, ReadOnlySpan<byte> ratings, int columns, double globalMean)
    {
        const double Shrinkage = 10;
        var sums = new double[columns];
        var counts = new int[columns];
        for (int i = 0; i < ratings.Length; i++)
        {
            sums[columnOfRating[i]] += ratings[i];
            counts[columnOfRating[i]]++;
        }

        var means = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            means[c] = (float)((sums[c] + (Shrinkage * globalMean)) / (counts[c] + Shrinkage));
        }

        return means;
    }

    /// <summary>Per-movie <see cref="ShrunkMeans"/> of the fitting ratings.</summary>
    public static float[] MovieMeans(TrainingData data)
    {
        int[] movies = [.. data.Train.Movies.ToArray().Select(m => (int)m)];
        return ShrunkMeans(movies, data.Train.Ratings.Span, data.Movies, data.GlobalMean);
    }

    /// <summary>Per-movie <see cref="ShrunkMeans"/> minus the global mean: a movie bias's starting point.</summary>
    public static float[] MovieOffsets(TrainingData data) => [.. MovieMeans(data).Select(m => (float)(m - data.GlobalMean))];

    /// <summary>All training ratings (fit + early-stopping slice): what a trained model reads at inference.</summary>
    public static RatingTable AllTraining(TrainingData data) => data.Train.Concat(data.Validation);
}
