using System.Buffers;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// A trained user-based rating autoencoder (<c>autorec-u</c>, <c>deep-ae</c>). Inference for user u: the input is u's
/// rating vector r_u over all movies — every training rating of u (the training partition including the slice held
/// out for early stopping), 0 for unrated — read from <see cref="History"/>. Then
/// h₀ = act(r_u @ input.weight + input.bias), h_{k+1} = act(h_k @ hidden.k.weight + hidden.k.bias),
/// r̂_u = h_L @ output.weightᵀ + output.bias + ū (identity output), where ū is the user's shrunk mean input rating
/// (<see cref="Autoencoders.RowMean"/>, saved as row_mean; absent in models trained without it). act is sigmoid for autorec-u, SELU for deep-ae. In ONNX
/// the input is the dense [batch, movies] rating matrix and the graph is MatMul/Add/Sigmoid|Selu, MatMul/Add.
/// Immutable and thread-safe: scratch buffers are per call.
/// </summary>
public sealed class UserAutoencoderModel : IRatingModel, IReadsUserHistory
{
    // Users whose codes are computed together before one blocked scoring pass (bounds the scratch to 64 × width).
    private const int ScoreGroup = 64;

    private readonly DenseLayer _input;
    private readonly IReadOnlyList<DenseLayer> _hidden;
    private readonly OutputLayer _output;
    private readonly int _width;
    private readonly int _maxWidth;

    public UserAutoencoderModel(string name, Activation activation, DenseLayer input, IReadOnlyList<DenseLayer> hidden, OutputLayer output, RatingIndex history,
        RowMean? rowMean = null)
    {
        RowMean = rowMean;
        Name = name;
        Activation = activation;
        _input = input;
        _hidden = hidden;
        _output = output;
        History = history;
        _width = hidden.Count == 0 ? input.Outputs : hidden[^1].Outputs;
        _maxWidth = Math.Max(input.Outputs, hidden.Count == 0 ? 0 : hidden.Max(l => l.Outputs));
        Validate(name);
    }

    public string Name { get; }

    public string Family => ModelFamily.Autoencoder;

    public Activation Activation { get; }

    public int Users => History.Rows;

    public int Movies => _output.Columns;

    public RatingIndex History { get; }

    public RowMean? RowMean { get; }

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Matrix("input.weight", _input.Inputs, _input.Outputs, _input.Weight),
        NamedTensor.Vector("input.bias", _input.Bias),
        .. _hidden.SelectMany((l, k) => new[]
        {
            NamedTensor.Matrix($"hidden.{k}.weight", l.Inputs, l.Outputs, l.Weight),
            NamedTensor.Vector($"hidden.{k}.bias", l.Bias),
        }),
        NamedTensor.Matrix("output.weight", _output.Columns, _output.Width, _output.Weight),
        NamedTensor.Vector("output.bias", _output.Bias),
        .. RowMean is null ? Array.Empty<NamedTensor>() : [NamedTensor.Vector("row_mean", RowMean.ToArray())],
    ];

    /// <summary>Loads the tensors written by <see cref="Tensors"/> and history.arrow from the same directory.</summary>
    public static UserAutoencoderModel FromTensors(string name, Activation activation, IReadOnlyList<NamedTensor> tensors, string path)
    {
        DenseLayer input = DenseLayer.FromTensors(tensors, "input", path);
        var hidden = new List<DenseLayer>();
        while (tensors.Any(t => t.Name == $"hidden.{hidden.Count}.weight"))
        {
            hidden.Add(DenseLayer.FromTensors(tensors, $"hidden.{hidden.Count}", path));
        }

        NamedTensor weight = SafeTensors.Require(tensors, "output.weight", path);
        if (weight.Shape.Count != 2)
        {
            throw new InvalidDataException($"{path}: output.weight must be a matrix");
        }

        var output = new OutputLayer(weight.Shape[0], weight.Shape[1], weight.Data, SafeTensors.Require(tensors, "output.bias", path).Data);
        RatingIndex history = UserHistory.Read(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, UserHistory.FileName), weight.Shape[0]);
        RowMean? rowMean = null;
        if (tensors.FirstOrDefault(t => t.Name == "row_mean") is { } saved)
        {
            rowMean = saved.Data.Length == 2 ? new RowMean(saved.Data.Span[0], saved.Data.Span[1])
                : throw new InvalidDataException($"{path}: row_mean must hold [shrinkage, prior], found {saved.Data.Length} values");
        }

        return new UserAutoencoderModel(name, activation, input, hidden, output, history, rowMean);
    }

    /// <summary>The same weights reading another rating history (training ends by switching to all training ratings).</summary>
    public UserAutoencoderModel WithHistory(RatingIndex history) => new(Name, Activation, _input, _hidden, _output, history, RowMean);

    /// <summary>ū for <paramref name="user"/>, or 0 for a model without it.</summary>
    public float LevelOf(int user) => RowMean?.Of(History.RatingsOf(user)) ?? 0f;

    /// <summary>h_L for user <paramref name="user"/> into <paramref name="code"/> (length: the last hidden width).</summary>
    public void Encode(int user, Span<float> code)
    {
        float[] a = ArrayPool<float>.Shared.Rent(_maxWidth), b = ArrayPool<float>.Shared.Rent(_maxWidth);
        try
        {
            Span<float> h = a.AsSpan(0, _input.Outputs);
            _input.ApplySparse(History.ColumnsOf(user), History.RatingsOf(user), h);
            Activations.Apply(Activation, h);
            foreach (DenseLayer layer in _hidden)
            {
                Span<float> next = (h.Overlaps(a) ? b : a).AsSpan(0, layer.Outputs);
                layer.Apply(h, next);
                Activations.Apply(Activation, next);
                h = next;
            }

            h.CopyTo(code);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(a);
            ArrayPool<float>.Shared.Return(b);
        }
    }

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        // Encode each distinct user once: visit the pairs in user order.
        int[] order = [.. Enumerable.Range(0, users.Length)];
        int[] keys = users.ToArray();
        Array.Sort(keys, order);
        var code = new float[_width];
        int current = -1;
        float level = 0;
        for (int j = 0; j < order.Length; j++)
        {
            int i = order[j];
            if (keys[j] != current)
            {
                current = keys[j];
                Encode(current, code);
                level = LevelOf(current);
            }

            predictions[i] = _output.Score(code, movies[i]) + level;
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores)
    {
        if (scores.Length < (long)users.Length * Movies)
        {
            throw new ArgumentException($"{scores.Length} scores cannot hold {users.Length} users × {Movies} movies", nameof(scores));
        }

        var codes = new float[ScoreGroup * _width];
        for (int start = 0; start < users.Length; start += ScoreGroup)
        {
            int count = Math.Min(ScoreGroup, users.Length - start);
            for (int i = 0; i < count; i++)
            {
                Encode(users[start + i], codes.AsSpan(i * _width, _width));
            }

            OutputScores.Score(_output, codes, count, scores.Slice(start * Movies, count * Movies));
            if (RowMean is not null)
            {
                for (int i = 0; i < count; i++)
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(scores.Slice((start + i) * Movies, Movies), LevelOf(users[start + i]), scores.Slice((start + i) * Movies, Movies));
                }
            }
        }
    }

    private void Validate(string source)
    {
        _input.Validate(source);
        int width = _input.Outputs;
        foreach (DenseLayer layer in _hidden)
        {
            layer.Validate(source);
            if (layer.Inputs != width)
            {
                throw new InvalidDataException($"{source}: a hidden layer takes {layer.Inputs} inputs after a layer of {width}");
            }

            width = layer.Outputs;
        }

        _output.Validate(source);
        if (_output.Width != width || _input.Inputs != _output.Columns)
        {
            throw new InvalidDataException($"{source}: output layer {_output.Columns}×{_output.Width} does not match input {_input.Inputs} columns and code width {width}");
        }

        if (History.Rows < 0)
        {
            throw new InvalidDataException($"{source}: no user history");
        }
    }
}

/// <summary>Dense scoring of many codes against an <see cref="OutputLayer"/> with the blocked kernel of <see cref="FactorModel"/>.</summary>
public static class OutputScores
{
    /// <summary>scores[i * columns + c] = codes[i] · weight[c] + bias[c] for the first <paramref name="count"/> codes.</summary>
    public static void Score(OutputLayer output, ReadOnlyMemory<float> codes, int count, Span<float> scores)
    {
        // Codes play the user factors and the output rows the movie factors: same product, same fast kernel.
        var factors = new FactorModel(string.Empty, string.Empty, 0f, new float[count], output.Bias, output.Width,
            codes[..(count * output.Width)], output.Weight);
        int[] rows = [.. Enumerable.Range(0, count)];
        factors.ScoreAll(rows, scores);
    }
}
