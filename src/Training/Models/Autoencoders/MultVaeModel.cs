using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// A trained Mult-VAE (<c>mult-vae</c>). Inference for user u reads u's training ratings (<see cref="History"/>: the
/// training partition including the early-stopping slice) as the dense vector r_u (0 = unrated) and computes
/// x = Clip(r_u − (t − 1), 0, 1) (1 where the rating is at least t = input.threshold stars), x ← x / ‖x‖₂,
/// h = tanh(x @ input.weight + input.bias), z = h @ encoder.mu.weight + encoder.mu.bias (the posterior mean: no sampling),
/// d = tanh(z @ decoder.hidden.weight + decoder.hidden.bias), logits = d @ output.weightᵀ + output.bias, and
/// s = LogSoftmax(logits): the log-probability of each movie under the multinomial.
/// <see cref="ScoreAll"/> returns s (what the model ranks by). <see cref="Predict"/> returns the calibrated rating
/// calibration[0] + calibration[1] · s, a least-squares line fitted on training ratings: Mult-VAE is trained on
/// binarized feedback and knows nothing of stars, so its RMSE is that of a two-parameter mapping of its ranking score.
/// </summary>
public sealed class MultVaeModel : IRatingModel, IReadsUserHistory
{
    public const string Name = "mult-vae";

    private const int ScoreGroup = 64;

    private readonly DenseLayer _input;
    private readonly DenseLayer _mu;
    private readonly DenseLayer _decoder;
    private readonly OutputLayer _output;
    private readonly float _threshold;

    public MultVaeModel(DenseLayer input, DenseLayer mu, DenseLayer decoder, OutputLayer output, float threshold, RatingCalibration calibration, RatingIndex history)
    {
        _input = input;
        _mu = mu;
        _decoder = decoder;
        _output = output;
        _threshold = threshold;
        Calibration = calibration;
        History = history;
        input.Validate(Name);
        mu.Validate(Name);
        decoder.Validate(Name);
        output.Validate(Name);
        if (mu.Inputs != input.Outputs || decoder.Inputs != mu.Outputs || output.Width != decoder.Outputs || output.Columns != input.Inputs)
        {
            throw new InvalidDataException($"{Name}: layer shapes do not chain: input {input.Inputs}×{input.Outputs}, mu {mu.Inputs}×{mu.Outputs}, decoder {decoder.Inputs}×{decoder.Outputs}, output {output.Columns}×{output.Width}");
        }
    }

    string IRatingModel.Name => Name;

    public string Family => ModelFamily.Autoencoder;

    public int Users => History.Rows;

    public int Movies => _output.Columns;

    public RatingCalibration Calibration { get; }

    public RatingIndex History { get; }

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Vector("input.threshold", new[] { _threshold }),
        NamedTensor.Matrix("input.weight", _input.Inputs, _input.Outputs, _input.Weight),
        NamedTensor.Vector("input.bias", _input.Bias),
        NamedTensor.Matrix("encoder.mu.weight", _mu.Inputs, _mu.Outputs, _mu.Weight),
        NamedTensor.Vector("encoder.mu.bias", _mu.Bias),
        NamedTensor.Matrix("decoder.hidden.weight", _decoder.Inputs, _decoder.Outputs, _decoder.Weight),
        NamedTensor.Vector("decoder.hidden.bias", _decoder.Bias),
        NamedTensor.Matrix("output.weight", _output.Columns, _output.Width, _output.Weight),
        NamedTensor.Vector("output.bias", _output.Bias),
        NamedTensor.Vector("calibration", new[] { Calibration.Intercept, Calibration.Slope }),
    ];

    public static MultVaeModel FromTensors(IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor output = SafeTensors.Require(tensors, "output.weight", path);
        NamedTensor calibration = SafeTensors.Require(tensors, "calibration", path);
        if (output.Shape.Count != 2 || calibration.Data.Length != 2)
        {
            throw new InvalidDataException($"{path}: output.weight must be a matrix and calibration hold 2 values");
        }

        RatingIndex history = UserHistory.Read(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, UserHistory.FileName), output.Shape[0]);
        return new MultVaeModel(DenseLayer.FromTensors(tensors, "input", path), DenseLayer.FromTensors(tensors, "encoder.mu", path), DenseLayer.FromTensors(tensors, "decoder.hidden", path),
            new OutputLayer(output.Shape[0], output.Shape[1], output.Data, SafeTensors.Require(tensors, "output.bias", path).Data),
            SafeTensors.RequireScalar(tensors, "input.threshold", path),
            new RatingCalibration(calibration.Data.Span[0], calibration.Data.Span[1]), history);
    }

    public MultVaeModel WithHistory(RatingIndex history) => new(_input, _mu, _decoder, _output, _threshold, Calibration, history);

    public MultVaeModel WithCalibration(RatingCalibration calibration) => new(_input, _mu, _decoder, _output, _threshold, calibration, History);

    /// <summary>d, the decoder's hidden layer, for user <paramref name="user"/>.</summary>
    public void Encode(int user, Span<float> decoded)
    {
        ReadOnlySpan<int> columns = History.ColumnsOf(user);
        ReadOnlySpan<float> ratings = History.RatingsOf(user);
        var values = new float[ratings.Length];
        double norm = 0;
        for (int j = 0; j < ratings.Length; j++)
        {
            values[j] = Math.Clamp(ratings[j] - (_threshold - 1f), 0f, 1f);
            norm += values[j] * values[j];
        }

        if (norm > 0)
        {
            TensorPrimitives.Multiply(values, (float)(1 / Math.Sqrt(norm)), values);
        }

        var h = new float[_input.Outputs];
        var z = new float[_mu.Outputs];
        _input.ApplySparse(columns, values, h);
        Activations.Apply(Activation.Tanh, h);
        _mu.Apply(h, z);
        _decoder.Apply(z, decoded);
        Activations.Apply(Activation.Tanh, decoded);
    }

    /// <summary>Log-softmax scores of every movie for each user.</summary>
    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length < (long)users.Length * Movies)
        {
            throw new ArgumentException($"{scores.Length} scores cannot hold {users.Length} users × {Movies} movies", nameof(scores));
        }

        int width = _output.Width;
        var codes = new float[ScoreGroup * width];
        for (int start = 0; start < users.Length; start += ScoreGroup)
        {
            int count = Math.Min(ScoreGroup, users.Length - start);
            for (int i = 0; i < count; i++)
            {
                Encode(users[start + i], codes.AsSpan(i * width, width));
            }

            Span<float> block = scores.Slice(start * Movies, count * Movies);
            OutputScores.Score(_output, codes, count, block);
            for (int i = 0; i < count; i++)
            {
                LogSoftmax(block.Slice(i * Movies, Movies));
            }
        }
    }

    /// <summary>Calibrated ratings: each distinct user's scores are computed once, in groups.</summary>
    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        int[] order = [.. Enumerable.Range(0, users.Length)];
        int[] keys = users.ToArray();
        Array.Sort(keys, order);
        var distinct = new List<int>();
        var firstPair = new List<int>();
        for (int j = 0; j < keys.Length; j++)
        {
            if (j == 0 || keys[j] != keys[j - 1])
            {
                distinct.Add(keys[j]);
                firstPair.Add(j);
            }
        }

        firstPair.Add(keys.Length);
        var block = new float[Math.Min(ScoreGroup, Math.Max(1, distinct.Count)) * Movies];
        for (int g = 0; g < distinct.Count; g += ScoreGroup)
        {
            int count = Math.Min(ScoreGroup, distinct.Count - g);
            ScoreAll(distinct.GetRange(g, count).ToArray(), block);
            for (int d = 0; d < count; d++)
            {
                for (int j = firstPair[g + d]; j < firstPair[g + d + 1]; j++)
                {
                    int i = order[j];
                    predictions[i] = Calibration.Apply(block[(d * Movies) + movies[i]]);
                }
            }
        }
    }

    private static void LogSoftmax(Span<float> row)
    {
        float max = TensorPrimitives.Max(row);
        double sum = 0;
        foreach (float v in row)
        {
            sum += Math.Exp(v - max);
        }

        TensorPrimitives.Subtract(row, max + (float)Math.Log(sum), row);
    }
}
