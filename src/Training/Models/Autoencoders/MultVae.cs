using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// <c>mult-vae</c>: the variational autoencoder with a multinomial likelihood and KL annealing (Liang et al., 2018) for
/// top-N ranking on binarized feedback. Published on Netflix: Recall@20 0.351, NDCG@100 0.386. Trains a fixed number
/// of epochs and keeps the last (the paper selects by validation NDCG; RMSE is no criterion for a ranking model).
/// After each epoch a two-parameter score → stars line is fitted on the training ratings of a seeded sample of users
/// (<see cref="RatingCalibration"/>); the learning curve reports that fit's training RMSE and the validation RMSE.
/// </summary>
public static class MultVae
{
    public const string Name = MultVaeModel.Name;

    public static TrainedModel Train(TrainingData data, MultVaeConfig config, IProgress<EpochRecord> progress)
    {
        Validate(config);
        TorchSharp.torch.Device device = TorchRuntime.Prepare(config.Device, config.Threads, config.Seed);
        RatingIndex byUser = RatingIndex.ByUser(data.Train, data.Users);
        RatingIndex positives = Positives(data.Train, data.Users, config.PositiveThreshold);
        using var net = new MultVaeNet(data.Movies, config.Hidden, config.Latent, config.LearningRate, device, config.Seed);
        var batcher = new SparseBatcher(positives, data.Movies);
        var random = new Random(config.Seed);
        int[] order = [.. Enumerable.Range(0, data.Users)];
        // The batches skip users without positives: an epoch's work is the others.
        int usersWithPositives = order.Count(u => positives.CountOf(u) > 0);
        int[] calibrationUsers = CalibrationSample(byUser, config.CalibrationUsers, config.Seed);
        MultVaeModel? model = null;
        long step = 0;
        TrainedModel trained = EpochLoop.RunAll(config, data, progress, _ =>
        {
            random.Shuffle(order);
            int users = 0;
            foreach (ArraySegment<int> group in SparseBatcher.Groups(positives, order, BatchSizing.ForEpoch(config.BatchSize, usersWithPositives), int.MaxValue))
            {
                users += group.Count;
                if (!data.Budget.Allows(users, usersWithPositives))
                {
                    break;
                }

                double beta = config.AnnealSteps > 0 ? Math.Min(config.AnnealCap, config.AnnealCap * step / config.AnnealSteps) : config.AnnealCap;
                net.TrainBatch(batcher.Build(group), config.InputDropout, beta);
                step++;
            }

            // The calibrated model is the epoch's model: the learning curve reports its fit's training RMSE.
            model = net.ToModel(config.PositiveThreshold, byUser);
            (RatingCalibration calibration, double trainRmse) = Calibrate(model, byUser, calibrationUsers);
            model = model.WithCalibration(calibration);
            return new EpochOutcome(model, trainRmse);
        });

        RatingIndex all = RatingIndex.ByUser(MaskedAutoencoderTraining.AllTraining(data), data.Users);
        return trained with { Model = model!.WithHistory(all) };
    }

    /// <summary>The training ratings of at least <paramref name="threshold"/> stars, by user.</summary>
    public static RatingIndex Positives(RatingTable train, int users, int threshold)
    {
        var rows = new List<int>();
        ReadOnlySpan<byte> ratings = train.Ratings.Span;
        for (int i = 0; i < ratings.Length; i++)
        {
            if (ratings[i] >= threshold)
            {
                rows.Add(i);
            }
        }

        return RatingIndex.ByUser(train.Select(rows.ToArray()), users);
    }

    /// <summary>Fits the calibration on the sampled users' training ratings; returns it with its (clipped) RMSE there.</summary>
    public static (RatingCalibration Calibration, double Rmse) Calibrate(MultVaeModel model, RatingIndex byUser, int[] users)
    {
        // Users scored in groups: the scoring kernel packs the whole output table once per call, which for one user at a
        // time was most of an end-of-epoch check at full (2,000 packings of 17,770 × 600 floats).
        const int Group = 64;
        var scores = new List<float>();
        var ratings = new List<float>();
        var block = new float[Math.Min(Group, users.Length) * model.Movies];
        for (int start = 0; start < users.Length; start += Group)
        {
            int count = Math.Min(Group, users.Length - start);
            model.ScoreAll(users.AsSpan(start, count), block);
            for (int d = 0; d < count; d++)
            {
                int user = users[start + d];
                foreach (int movie in byUser.ColumnsOf(user))
                {
                    scores.Add(block[(d * model.Movies) + movie]);
                }

                ratings.AddRange(byUser.RatingsOf(user));
            }
        }

        RatingCalibration calibration = RatingCalibration.Fit(scores.ToArray(), ratings.ToArray());
        double squared = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            double e = RatingError.Clip(calibration.Apply(scores[i])) - ratings[i];
            squared += e * e;
        }

        return (calibration, Math.Sqrt(squared / scores.Count));
    }

    private static int[] CalibrationSample(RatingIndex byUser, int count, int seed)
    {
        int[] rated = [.. Enumerable.Range(0, byUser.Rows).Where(u => byUser.CountOf(u) > 0)];
        new Random(seed ^ 0x5EED).Shuffle(rated);
        return rated.Length == 0
            ? throw new InvalidDataException($"{Name}: no training ratings to calibrate on")
            : rated[..Math.Min(count, rated.Length)];
    }

    private static void Validate(MultVaeConfig config)
    {
        ConfigCheck.TrainingOptions(Name, config);
        ConfigCheck.Require(config.Hidden >= 1, Name, "hidden", "must be at least 1");
        ConfigCheck.Require(config.Latent >= 1, Name, "latent", "must be at least 1");
        ConfigCheck.Require(config.BatchSize >= 1, Name, "batch_size", "must be at least 1");
        ConfigCheck.Require(config.CalibrationUsers >= 1, Name, "calibration_users", "must be at least 1");
        ConfigCheck.Require(config.InputDropout is >= 0 and < 1, Name, "input_dropout", "must be in [0, 1)");
        ConfigCheck.Require(config.AnnealCap >= 0, Name, "anneal_cap", "must not be negative");
        ConfigCheck.Require(config.AnnealSteps >= 0, Name, "anneal_steps", "must not be negative");
        ConfigCheck.Require(config.LearningRate > 0, Name, "learning_rate", "must be positive");
        ConfigCheck.Require(config.PositiveThreshold is >= 1 and <= 5, Name, "positive_threshold", "must be 1–5 stars");
    }
}
