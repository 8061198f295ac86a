using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// A trained item-based AutoRec (<c>autorec-i</c>). The network encodes a movie's column of user ratings,
/// h_i = sigmoid(r_i @ encoder.weight + encoder.bias) with encoder.weight [users, hidden], and decodes it to every
/// user's rating, r̂_ui = h_i · output.weight[u] + output.bias[u] + item_bias[i] (the movie's own offset: the decoder is
/// per user, so without it each user would have to learn every movie's bias alone). A movie's column is fixed once training ends, so its
/// code is computed once from all training ratings of the movie (training partition including the early-stopping
/// slice) and saved as item_codes [movies, hidden]; the encoder itself is not needed at inference. Prediction is then
/// a dot product, scored with <see cref="FactorModel"/>'s blocked kernel; in ONNX: Gather(item_codes) and
/// MatMul(user rows of output.weight) + the two biases. Immutable and thread-safe.
/// </summary>
public sealed class ItemAutoRecModel : IRatingModel
{
    public const string Name = "autorec-i";

    private readonly OutputLayer _output;
    private readonly ReadOnlyMemory<float> _itemCodes;
    private readonly ReadOnlyMemory<float> _itemBias;
    private readonly FactorModel _factors;

    public ItemAutoRecModel(OutputLayer output, ReadOnlyMemory<float> itemCodes, ReadOnlyMemory<float> itemBias)
    {
        _output = output;
        _itemCodes = itemCodes;
        _itemBias = itemBias;
        output.Validate(Name);
        int movies = itemBias.Length;
        if (itemCodes.Length != (long)movies * output.Width)
        {
            throw new InvalidDataException($"{Name}: item_codes has {itemCodes.Length} values, {movies} movies (item_bias) × {output.Width} need {(long)movies * output.Width}");
        }

        // Users are the factor model's rows: r̂_ui = output.weight[u] · item_codes[i] + output.bias[u] + item_bias[i].
        _factors = new FactorModel(Name, ModelFamily.Autoencoder, 0f, output.Bias, itemBias, output.Width, output.Weight, itemCodes);
    }

    string IRatingModel.Name => Name;

    public string Family => ModelFamily.Autoencoder;

    public int Users => _output.Columns;

    public int Movies => _factors.Movies;

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Matrix("item_codes", Movies, _output.Width, _itemCodes),
        NamedTensor.Matrix("output.weight", _output.Columns, _output.Width, _output.Weight),
        NamedTensor.Vector("output.bias", _output.Bias),
        NamedTensor.Vector("item_bias", _itemBias),
    ];

    public static ItemAutoRecModel FromTensors(IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor codes = SafeTensors.Require(tensors, "item_codes", path);
        NamedTensor weight = SafeTensors.Require(tensors, "output.weight", path);
        if (codes.Shape.Count != 2 || weight.Shape.Count != 2)
        {
            throw new InvalidDataException($"{path}: item_codes and output.weight must be matrices");
        }

        var output = new OutputLayer(weight.Shape[0], weight.Shape[1], weight.Data, SafeTensors.Require(tensors, "output.bias", path).Data);
        return new ItemAutoRecModel(output, codes.Data, SafeTensors.Require(tensors, "item_bias", path).Data);
    }

    /// <summary>h_i = sigmoid(r_i @ W + b) for every movie i, from the movie columns of <paramref name="byMovie"/>.</summary>
    public static float[] ItemCodes(DenseLayer encoder, RatingIndex byMovie)
    {
        int width = encoder.Outputs;
        var codes = new float[(long)byMovie.Rows * width];
        Parallel.For(0, byMovie.Rows, movie =>
        {
            Span<float> code = codes.AsSpan(movie * width, width);
            encoder.ApplySparse(byMovie.ColumnsOf(movie), byMovie.RatingsOf(movie), code);
            Activations.Apply(Activation.Sigmoid, code);
        });
        return codes;
    }

    /// <summary>The same decoder with codes recomputed from other movie columns.</summary>
    public ItemAutoRecModel WithCodes(float[] itemCodes) => new(_output, itemCodes, _itemBias);

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions) => _factors.Predict(users, movies, predictions);

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores) => _factors.ScoreAll(users, scores);
}
