using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// AutoRec (Sedhain et al., 2015): one sigmoid hidden layer, identity output, masked squared loss with L2 on the
/// weights. <c>autorec-i</c> reconstructs each movie's vector of user ratings (the published winner: 0.823 RMSE on a
/// random 90/10 Netflix split), <c>autorec-u</c> each user's vector of movie ratings. With input_dropout &gt; 0 either
/// becomes a denoising autoencoder.
/// </summary>
public static class AutoRec
{
    public const string ItemName = ItemAutoRecModel.Name;
    public const string UserName = "autorec-u";

    public static TrainedModel TrainItem(TrainingData data, AutoRecConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(ItemName, config);
        // Output biases start at the users' means, movie biases at the movies' offsets from the global mean.
        MaskedAutoencoderSpec spec = Spec(config, data.Users, MaskedAutoencoderTraining.ShrunkMeans(data.Train.Users.Span, data.Train.Ratings.Span, data.Users, data.GlobalMean))
            with { InitialRowBias = MaskedAutoencoderTraining.MovieOffsets(data) };
        RatingIndex byMovie = RatingIndex.ByMovie(data.Train, data.Movies);
        DenseLayer? latestEncoder = null, bestEncoder = null;
        TrainedModel trained = MaskedAutoencoderTraining.Run(config, data, progress, spec, byMovie, config.BatchSize, config.BatchRatings, refeed: false,
            net =>
            {
                // During training a movie is encoded from its fitting ratings only: the held-out slice stays unseen.
                latestEncoder = net.InputLayer();
                return new ItemAutoRecModel(net.OutputLayer(), ItemAutoRecModel.ItemCodes(latestEncoder, byMovie), net.RowBias());
            },
            model =>
            {
                bestEncoder = latestEncoder;
                return model;
            });

        // The saved codes encode every training rating of each movie, as inference is defined.
        RatingIndex allByMovie = RatingIndex.ByMovie(MaskedAutoencoderTraining.AllTraining(data), data.Movies);
        var best = (ItemAutoRecModel)trained.Model;
        return trained with { Model = best.WithCodes(ItemAutoRecModel.ItemCodes(bestEncoder!, allByMovie)) };
    }

    public static TrainedModel TrainUser(TrainingData data, AutoRecConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(UserName, config);
        // The user's level comes from the input (row mean), so the movie biases start at their offsets from it.
        MaskedAutoencoderSpec spec = Spec(config, data.Movies, MaskedAutoencoderTraining.MovieOffsets(data)) with { RowMean = RowMean.Users(data.GlobalMean) };
        RatingIndex byUser = RatingIndex.ByUser(data.Train, data.Users);
        TrainedModel trained = MaskedAutoencoderTraining.Run(config, data, progress, spec, byUser, config.BatchSize, config.BatchRatings, refeed: false,
            net => new UserAutoencoderModel(UserName, Activation.Sigmoid, net.InputLayer(), [], net.OutputLayer(), byUser, spec.RowMean),
            model => model);
        var best = (UserAutoencoderModel)trained.Model;
        return trained with { Model = best.WithHistory(RatingIndex.ByUser(MaskedAutoencoderTraining.AllTraining(data), data.Users)) };
    }

    private static MaskedAutoencoderSpec Spec(AutoRecConfig config, int columns, float[] columnMeans)
    {
        MaskedAutoencoderTraining.Validate("autorec", "hidden", [config.Hidden], config.InputDropout, 0, config.LearningRate, config.Regularization);
        return new MaskedAutoencoderSpec(columns, [config.Hidden], Activation.Sigmoid, CodeLayer: 0, CodeDropout: 0, config.InputDropout,
            config.Regularization, config.LearningRate, columnMeans, TorchRuntime.Prepare(config.Device, config.Threads, config.Seed));
    }
}
