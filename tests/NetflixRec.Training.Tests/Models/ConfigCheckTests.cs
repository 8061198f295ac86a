using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.Models;

public sealed class ConfigCheckTests
{
    private static readonly TrainingData s_empty = new(
        new RatingTable(Array.Empty<int>(), Array.Empty<short>(), Array.Empty<byte>(), Array.Empty<short>()),
        new RatingTable(Array.Empty<int>(), Array.Empty<short>(), Array.Empty<byte>(), Array.Empty<short>()),
        1, 1, 3.6, new QueryTable(Array.Empty<int>(), Array.Empty<short>(), Array.Empty<short>()), "none");

    private static readonly IProgress<EpochRecord> s_quiet = new Progress<EpochRecord>();

    [Fact]
    public void TrainingOptions_BadSharedField_NamesModelAndField()
    {
        var config = new BiasConfig(10, 25) { MaxEpochs = 3, Patience = 1, ValidationFraction = 1.5, Seed = 1, Threads = 0 };

        ArgumentException error = Assert.Throws<ArgumentException>(() => ConfigCheck.TrainingOptions("bias", config));

        Assert.Equal("validation_fraction", error.ParamName);
        Assert.StartsWith("bias config field 'validation_fraction' must be in [0, 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SvdPlusPlusZeroFactors_IsRefusedBeforeTraining()
    {
        SvdPlusPlusConfig config = ModelConfig.DefaultsOf<SvdPlusPlusConfig>(SvdPlusPlus.Name) with { Factors = 0 };

        ArgumentException error = Assert.Throws<ArgumentException>(() => SvdPlusPlus.Train(s_empty, config, s_quiet));

        Assert.Equal("factors", error.ParamName);
    }

    [Fact]
    public void Train_AlsNegativeRegularization_IsRefusedBeforeTraining()
    {
        BiasedMfAlsConfig config = ModelConfig.DefaultsOf<BiasedMfAlsConfig>(BiasedMfAls.Name) with { RegularizationFactors = -1 };

        ArgumentException error = Assert.Throws<ArgumentException>(() => BiasedMfAls.Train(s_empty, config, s_quiet));

        Assert.Equal("regularization_factors", error.ParamName);
    }

    [Fact]
    public void Train_NmfZeroMaxEpochs_IsRefusedBeforeTraining()
    {
        NonNegativeMfConfig config = ModelConfig.DefaultsOf<NonNegativeMfConfig>(NonNegativeMf.Name) with { MaxEpochs = 0 };

        ArgumentException error = Assert.Throws<ArgumentException>(() => NonNegativeMf.Train(s_empty, config, s_quiet));

        Assert.Equal("max_epochs", error.ParamName);
    }
}
