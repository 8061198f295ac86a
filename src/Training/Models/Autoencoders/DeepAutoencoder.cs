using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// <c>deep-ae</c>: the user-based deep autoencoder of Kuchaiev and Ginsburg ("Training Deep AutoEncoders for
/// Collaborative Filtering", NVIDIA 2017): SELU layers, a wide code with heavy dropout, masked MSE on observed ratings,
/// optional dense re-feeding, optional input corruption (denoising). Published: 0.9099 RMSE on their Netflix time split.
/// </summary>
public static class DeepAutoencoder
{
    public const string Name = "deep-ae";

    public static TrainedModel Train(TrainingData data, DeepAeConfig config, IProgress<EpochRecord> progress)
    {
        ConfigCheck.TrainingOptions(Name, config);
        IReadOnlyList<int> encoder = config.Encoder;
        MaskedAutoencoderTraining.Validate(Name, "encoder", encoder, config.InputDropout, config.CodeDropout, config.LearningRate, config.Regularization);
        int[] layers = [.. encoder, .. encoder.Take(encoder.Count - 1).Reverse()];
        var spec = new MaskedAutoencoderSpec(data.Movies, layers, Activation.Selu, CodeLayer: encoder.Count - 1, config.CodeDropout, config.InputDropout,
            config.Regularization, config.LearningRate, MaskedAutoencoderTraining.MovieOffsets(data), TorchRuntime.Prepare(config.Device, config.Threads, config.Seed),
            RowMean: RowMean.Users(data.GlobalMean));
        RatingIndex byUser = RatingIndex.ByUser(data.Train, data.Users);
        TrainedModel trained = MaskedAutoencoderTraining.Run(config, data, progress, spec, byUser, config.BatchSize, config.BatchRatings, config.DenseRefeeding,
            net => new UserAutoencoderModel(Name, Activation.Selu, net.InputLayer(), net.HiddenLayers(), net.OutputLayer(), byUser, spec.RowMean),
            model => model);
        var best = (UserAutoencoderModel)trained.Model;
        return trained with { Model = best.WithHistory(RatingIndex.ByUser(MaskedAutoencoderTraining.AllTraining(data), data.Users)) };
    }
}
