using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>The architecture and optimization settings of a <see cref="MaskedAutoencoderNet"/>.</summary>
/// <param name="Columns">Input = output width: movies for user-based models, users for item-based AutoRec.</param>
/// <param name="Layers">Hidden widths; Layers[0] is fed by the input table, Layers[^1] feeds the output table.</param>
/// <param name="CodeLayer">Index in <paramref name="Layers"/> after which <paramref name="CodeDropout"/> applies.</param>
/// <param name="InitialOutputBias">Per output column (see <see cref="MaskedAutoencoderTraining.ShrunkMeans"/>): the model
/// starts from a baseline instead of spending its first epochs learning the column biases.</param>
/// <param name="InputDropout">Denoising: each observed input rating is dropped with this probability (the rest scaled
/// by 1/(1−p)); the loss still covers every observed rating, so the model learns to fill in the dropped ones.</param>
/// <param name="InitialRowBias">Per input row, or empty for none: a learned offset added to every prediction of the row.
/// Item-based AutoRec needs it: its decoder is per user, so without it every user would have to learn each movie's
/// bias separately through W_out[u] (a user with 20 ratings cannot), and it fits worse than the bias baseline.</param>
/// <param name="RowMean">When set, each row's shrunk mean input rating is added to its predictions (user-based models:
/// see <see cref="Autoencoders.RowMean"/>).</param>
public sealed record MaskedAutoencoderSpec(
    int Columns,
    IReadOnlyList<int> Layers,
    Activation Activation,
    int CodeLayer,
    double CodeDropout,
    double InputDropout,
    double Regularization,
    double LearningRate,
    ReadOnlyMemory<float> InitialOutputBias,
    Device Device,
    ReadOnlyMemory<float> InitialRowBias = default,
    RowMean? RowMean = null);

/// <summary>
/// A rating autoencoder trained on observed entries only (AutoRec, NVIDIA's deep autoencoder):
/// h₀ = act(r @ W_in + b_in) over the sparse rating vector r, h_{k+1} = act(h_k @ W_k + b_k), r̂_c = h_L · W_out[c] + b_out[c]
/// (+ the row's bias where the spec has one).
/// The loss is the masked MSE: the squared error of the observed ratings only, with r̂ computed just for those
/// (the output table's rows are gathered per entry, never a dense rows × columns product), plus λ·(‖W_in[c]‖² + ‖W_out[c]‖²)
/// for the column c of each observed rating and λ·‖W‖² for the hidden layers, divided by the batch's rating count. The input and output tables take lazy row-wise Adam steps
/// (<see cref="RowAdam"/>), the small dense layers torch's Adam. Every intermediate tensor lives in a per-batch dispose scope.
/// </summary>
public sealed class MaskedAutoencoderNet : IDisposable
{
    private readonly MaskedAutoencoderSpec _spec;
    private readonly RowAdam _input;
    private readonly RowAdam _output;
    private readonly RowAdam _outputBias;
    private readonly RowAdam? _rowBias;
    private readonly Parameter _inputBias;
    private readonly List<(Parameter Weight, Parameter Bias)> _hidden = [];
    private readonly optim.Optimizer _optimizer;
    private long _step;

    /// <param name="seed">Seeds the run's own generator the weights are drawn from (<see cref="RunGenerator"/>).</param>
    public MaskedAutoencoderNet(MaskedAutoencoderSpec spec, int seed = 0)
    {
        _spec = spec;
        IReadOnlyList<int> layers = spec.Layers;
        Device device = spec.Device;
        using Generator init = RunGenerator.Create(seed, device);
        _input = new RowAdam(Glorot(spec.Columns, layers[0], device, init), spec.LearningRate);
        _output = new RowAdam(Glorot(spec.Columns, layers[^1], device, init), spec.LearningRate);
        _outputBias = new RowAdam(tensor(spec.InitialOutputBias.ToArray(), device: device), spec.LearningRate);
        _rowBias = spec.InitialRowBias.IsEmpty ? null : new RowAdam(tensor(spec.InitialRowBias.ToArray(), device: device), spec.LearningRate);
        _inputBias = new Parameter(zeros(layers[0], device: device));
        var dense = new List<Parameter> { _inputBias };
        for (int k = 0; k + 1 < layers.Count; k++)
        {
            var weight = new Parameter(Glorot(layers[k], layers[k + 1], device, init));
            var bias = new Parameter(zeros(layers[k + 1], device: device));
            _hidden.Add((weight, bias));
            dense.Add(weight);
            dense.Add(bias);
        }

        _optimizer = optim.Adam(dense, spec.LearningRate);
    }

    /// <summary>One optimization step on the batch; returns the batch's sum of squared errors (training mode: input
    /// corruption and dropout active).</summary>
    public double TrainBatch(SparseBatch batch)
    {
        using DisposeScope scope = NewDisposeScope();
        SparseBatchTensors t = SparseBatchTensors.From(batch, _spec.Device);
        Tensor input = _input.Gather(t.Columns), output = _output.Gather(t.Columns), outputBias = _outputBias.Gather(t.Columns);
        Tensor values = _spec.InputDropout > 0 ? nn.functional.dropout(t.Values, _spec.InputDropout, training: true) : t.Values;
        // On the CPU the first layer's gather–scale–add is one CSR product (kept alive for the backward of this step).
        using SparseOperator? firstLayer = SparseOperator.UsesCsrKernel(_spec.Device) ? FirstLayer(batch, values, _spec.InputDropout > 0) : null;
        Tensor code = firstLayer is not null
            ? Hidden(Activations.Apply(_spec.Activation, firstLayer.Multiply(input) + _inputBias), training: true)
            : Encode(input, t.EntryRow, t.EntryColumn, values, t.Rows, training: true);
        // On the CPU the output layer's dot products over the observed entries are one sampled product (same pattern).
        Tensor prediction = firstLayer is not null
            ? MaskedLoss.SampledOutput(firstLayer.Matrix, code, output, outputBias, t.EntryColumn, torch.get_num_threads())
            : MaskedLoss.GatherOutput(code, output, outputBias, t.EntryRow, t.EntryColumn);
        // Each observed rating regularizes the table rows of its column (as SGD matrix factorization does), so λ means the
        // same at any batch size; hidden layers are regularized once per batch.
        Tensor perColumn = zeros(t.Columns.shape[0], device: _spec.Device).index_add_(0, t.EntryColumn, ones_like(t.Values), 1);
        Tensor tables = firstLayer is not null
            ? WeightedSquaredNorm.Apply(input, perColumn, torch.get_num_threads()) + WeightedSquaredNorm.Apply(output, perColumn, torch.get_num_threads())
            : ((input.square().sum(1) + output.square().sum(1)) * perColumn).sum();
        if (_spec.RowMean is { } rowMean)
        {
            prediction += RowMeans(rowMean, t.EntryRow, t.Values, t.Rows).index_select(0, t.EntryRow);
        }

        Tensor? rowBias = _rowBias?.Gather(t.RowIds);
        if (rowBias is not null)
        {
            Tensor perEntry = rowBias.index_select(0, t.EntryRow);
            prediction += perEntry;
            tables += perEntry.square().sum();
        }

        Tensor squaredError = MaskedLoss.SquaredError(prediction, t.Values);
        Tensor loss = (squaredError + (_spec.Regularization * (tables + HiddenPenalty()))) / batch.Entries;
        Step(loss, t.Columns, input, output, outputBias);
        if (rowBias is not null)
        {
            _rowBias!.Step(t.RowIds, rowBias.grad!, _step);
        }

        return squaredError.item<float>();
    }

    /// <summary>
    /// NVIDIA's dense re-feeding: y = f(x) is dense (a prediction for every column), so it is a fully observed input; a
    /// second step trains f(y) ≈ y on all columns. Costs rows × columns × width per layer end: O(batch × all movies).
    /// </summary>
    public void RefeedBatch(SparseBatch batch)
    {
        if (_rowBias is not null)
        {
            throw new InvalidOperationException("dense re-feeding has no rows to take row biases from");
        }

        using DisposeScope scope = NewDisposeScope();
        SparseBatchTensors t = SparseBatchTensors.From(batch, _spec.Device);
        Tensor all = arange(_spec.Columns, dtype: ScalarType.Int64, device: _spec.Device);
        Tensor input = _input.Gather(all), output = _output.Gather(all), outputBias = _outputBias.Gather(all);
        Tensor refed;
        using (no_grad())
        {
            // The tables are gathered whole here, so entries index them by global column.
            Tensor code = Encode(input, t.EntryRow, t.Columns.index_select(0, t.EntryColumn), t.Values, t.Rows, training: true);
            refed = code.matmul(output.t()) + outputBias;
        }

        Tensor hidden = Hidden(Activations.Apply(_spec.Activation, refed.matmul(input) + _inputBias), training: true);
        Tensor reconstruction = hidden.matmul(output.t()) + outputBias;
        if (_spec.RowMean is { } rowMean)
        {
            // The re-fed vector is dense: every column is observed.
            reconstruction += ((refed.sum(1) + (rowMean.Shrinkage * rowMean.Prior)) / (_spec.Columns + rowMean.Shrinkage)).unsqueeze(1);
        }

        Tensor penalty = input.square().sum() + output.square().sum() + HiddenPenalty();
        Tensor loss = ((reconstruction - refed).square().sum() + (_spec.Regularization * penalty)) / refed.numel();
        Step(loss, all, input, output, outputBias);
    }

    /// <summary>The first layer (the input table) as an inference layer: [columns, Layers[0]].</summary>
    public DenseLayer InputLayer() => new(_spec.Columns, _spec.Layers[0], TorchRuntime.ToArray(_input.Table), TorchRuntime.ToArray(_inputBias));

    public IReadOnlyList<DenseLayer> HiddenLayers() =>
        [.. _hidden.Select(l => new DenseLayer((int)l.Weight.shape[0], (int)l.Weight.shape[1], TorchRuntime.ToArray(l.Weight), TorchRuntime.ToArray(l.Bias)))];

    /// <summary>The learned per-row offsets; empty when the spec has none.</summary>
    public float[] RowBias() => _rowBias is null ? [] : TorchRuntime.ToArray(_rowBias.Table);

    public OutputLayer OutputLayer() => new(_spec.Columns, _spec.Layers[^1], TorchRuntime.ToArray(_output.Table), TorchRuntime.ToArray(_outputBias.Table));

    public void Dispose()
    {
        _optimizer.Dispose();
        _input.Dispose();
        _output.Dispose();
        _outputBias.Dispose();
        _rowBias?.Dispose();
        _inputBias.Dispose();
        foreach ((Parameter weight, Parameter bias) in _hidden)
        {
            weight.Dispose();
            bias.Dispose();
        }
    }

    /// <summary>
    /// The batch as a CSR matrix (batch rows × batch columns, entries the input values), so the first layer
    /// Σ_e value_e · input[column_e] per row runs in <see cref="SparseKernel"/>: one SIMD multiply-add per entry, where the
    /// torch formulation gathers [entries, width], scales it and scatters it back (and the backward does the same again).
    /// </summary>
    internal static SparseOperator FirstLayer(SparseBatch batch, Tensor values, bool corrupted)
    {
        // Without input dropout the values are the batch's ratings as they are; with it, the corrupted copy torch drew.
        SparseMatrix matrix = batch.ToCsr(corrupted ? TorchRuntime.ToArray(values) : batch.Values);
        return new SparseOperator(matrix, CPU, torch.get_num_threads(), addsIntoKeptGradient: true);
    }

    private Tensor Encode(Tensor input, Tensor entryRow, Tensor entryColumn, Tensor values, int rows, bool training)
    {
        Tensor first = zeros(rows, _spec.Layers[0], device: _spec.Device)
            .index_add(0, entryRow, input.index_select(0, entryColumn) * values.unsqueeze(1), 1);
        return Hidden(Activations.Apply(_spec.Activation, first + _inputBias), training);
    }

    // Layers after the first; dropout follows the code layer.
    private Tensor Hidden(Tensor h, bool training)
    {
        h = Dropout(h, 0, training);
        for (int k = 0; k < _hidden.Count; k++)
        {
            h = Dropout(Activations.Apply(_spec.Activation, h.matmul(_hidden[k].Weight) + _hidden[k].Bias), k + 1, training);
        }

        return h;
    }

    private Tensor Dropout(Tensor h, int layer, bool training) =>
        layer == _spec.CodeLayer && _spec.CodeDropout > 0 ? nn.functional.dropout(h, _spec.CodeDropout, training) : h;

    // ū per batch row over its observed (uncorrupted) input ratings: what inference computes from the user's history.
    private Tensor RowMeans(RowMean rowMean, Tensor entryRow, Tensor values, int rows)
    {
        Tensor sums = zeros(rows, device: _spec.Device).index_add_(0, entryRow, values, 1);
        Tensor counts = zeros(rows, device: _spec.Device).index_add_(0, entryRow, ones_like(values), 1);
        return (sums + (rowMean.Shrinkage * rowMean.Prior)) / (counts + rowMean.Shrinkage);
    }

    private Tensor HiddenPenalty()
    {
        Tensor penalty = zeros(1, device: _spec.Device);
        foreach ((Parameter weight, _) in _hidden)
        {
            penalty += weight.square().sum();
        }

        return penalty;
    }

    private void Step(Tensor loss, Tensor columns, Tensor input, Tensor output, Tensor outputBias)
    {
        _optimizer.zero_grad();
        loss.backward();
        _step++;
        _optimizer.step();
        _input.Step(columns, input.grad!, _step);
        _output.Step(columns, output.grad!, _step);
        _outputBias.Step(columns, outputBias.grad!, _step);
    }

    // Glorot/Xavier uniform: keeps activations in the sigmoid/SELU working range at the start.
    private static Tensor Glorot(long fanIn, long fanOut, Device device, Generator init)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        return empty(fanIn, fanOut, device: device).uniform_(-limit, limit, init);
    }
}
