using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Autoencoders;

/// <summary>
/// The Mult-VAE network of Liang et al. (2018) in training form: a sparse, L2-normalized binary input with dropout, a
/// tanh encoder to a Gaussian posterior (μ, log σ²), a reparameterized sample, a tanh decoder and a softmax over all
/// movies. Loss per user: −Σ_{i∈positives} log softmax(logits)_i + β·KL(q(z|x) ‖ N(0, I)). The multinomial needs the
/// full [batch, movies] logits (the softmax normalizes over every movie), so unlike the masked autoencoders the output
/// is dense per batch; the input is still sparse.
/// </summary>
public sealed class MultVaeNet : IDisposable
{
    private readonly int _latent;
    private readonly Device _device;
    private readonly Parameter _inputWeight;
    private readonly Parameter _inputBias;
    private readonly Parameter _posteriorWeight;
    private readonly Parameter _posteriorBias;
    private readonly Parameter _decoderWeight;
    private readonly Parameter _decoderBias;
    private readonly Parameter _outputWeight;
    private readonly Parameter _outputBias;
    private readonly DenseAdam _optimizer;

    // Every random draw (initialization, input dropout, the reparameterized sample) comes from this run's generator,
    // never from libtorch's global one: two runs with one seed agree whatever else the process draws.
    private readonly Generator _generator;

    public MultVaeNet(int movies, int hidden, int latent, double learningRate, Device device, int seed)
    {
        _latent = latent;
        _device = device;
        _generator = RunGenerator.Create(seed, device);
        _inputWeight = Glorot(movies, hidden);
        _inputBias = new Parameter(zeros(hidden, device: device));
        _posteriorWeight = Glorot(hidden, 2 * latent);
        _posteriorBias = new Parameter(zeros(2 * latent, device: device));
        _decoderWeight = Glorot(latent, hidden);
        _decoderBias = new Parameter(zeros(hidden, device: device));
        _outputWeight = Glorot(movies, hidden);
        _outputBias = new Parameter(zeros(movies, device: device));
        _optimizer = new DenseAdam([_inputWeight, _inputBias, _posteriorWeight, _posteriorBias, _decoderWeight, _decoderBias, _outputWeight, _outputBias], device, learningRate);
    }

    /// <summary>One Adam step on a batch of users' positives (every entry of <paramref name="batch"/> is a positive).</summary>
    public double TrainBatch(SparseBatch batch, double inputDropout, double beta)
    {
        using DisposeScope scope = NewDisposeScope();
        SparseBatchTensors t = SparseBatchTensors.From(batch, _device);
        Tensor columns = t.Columns.index_select(0, t.EntryColumn);
        Tensor counts = zeros(batch.Rows, device: _device).index_add_(0, t.EntryRow, ones_like(t.Values), 1);
        Tensor normalized = counts.rsqrt().index_select(0, t.EntryRow);
        Tensor values = Dropout(normalized, inputDropout);
        // On the CPU the first layer is one CSR product whose backward adds into W_in's gradient in place (kept for the step).
        using SparseOperator? firstLayer = SparseOperator.UsesCsrKernel(_device)
            ? new SparseOperator(batch.ToCsr(TorchRuntime.ToArray(values), (int)_inputWeight.shape[0]), CPU, torch.get_num_threads(), addsIntoKeptGradient: true)
            : null;
        Tensor first = firstLayer?.Multiply(_inputWeight)
            ?? zeros(batch.Rows, _inputBias.shape[0], device: _device).index_add(0, t.EntryRow, _inputWeight.index_select(0, columns) * values.unsqueeze(1), 1);
        Tensor h = (first + _inputBias).tanh();
        Tensor posterior = h.matmul(_posteriorWeight) + _posteriorBias;
        Tensor mu = posterior.narrow(1, 0, _latent), logVariance = posterior.narrow(1, _latent, _latent);
        Tensor z = mu + (randn(mu.shape, mu.dtype, _device, generator: _generator) * (0.5 * logVariance).exp());
        Tensor logits = (z.matmul(_decoderWeight) + _decoderBias).tanh().matmul(_outputWeight.t()) + _outputBias;
        Tensor logProbabilities = nn.functional.log_softmax(logits, 1);
        long movies = _outputBias.shape[0];
        Tensor negativeLogLikelihood = -logProbabilities.view(-1).index_select(0, (t.EntryRow * movies) + columns).sum() / batch.Rows;
        Tensor kl = (-0.5 * (1 + logVariance - mu.square() - logVariance.exp()).sum(1)).mean();
        Tensor loss = negativeLogLikelihood + (beta * kl);
        _optimizer.Minimize(loss);
        return loss.item<float>();
    }

    public MultVaeModel ToModel(float threshold, Data.Transforms.RatingIndex history)
    {
        int movies = (int)_outputBias.shape[0], hidden = (int)_inputBias.shape[0];
        float[] posterior = TorchRuntime.ToArray(_posteriorWeight), posteriorBias = TorchRuntime.ToArray(_posteriorBias);
        // The inference path uses the posterior mean: the first `latent` columns of the posterior layer.
        var muWeight = new float[hidden * _latent];
        for (int i = 0; i < hidden; i++)
        {
            posterior.AsSpan(i * 2 * _latent, _latent).CopyTo(muWeight.AsSpan(i * _latent, _latent));
        }

        return new MultVaeModel(
            new DenseLayer(movies, hidden, TorchRuntime.ToArray(_inputWeight), TorchRuntime.ToArray(_inputBias)),
            new DenseLayer(hidden, _latent, muWeight, posteriorBias[.._latent]),
            new DenseLayer(_latent, hidden, TorchRuntime.ToArray(_decoderWeight), TorchRuntime.ToArray(_decoderBias)),
            new OutputLayer(movies, hidden, TorchRuntime.ToArray(_outputWeight), TorchRuntime.ToArray(_outputBias)),
            threshold, new RatingCalibration(0f, 0f), history);
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _generator.Dispose();
        foreach (Parameter p in new[] { _inputWeight, _inputBias, _posteriorWeight, _posteriorBias, _decoderWeight, _decoderBias, _outputWeight, _outputBias })
        {
            p.Dispose();
        }
    }

    private Parameter Glorot(long fanIn, long fanOut)
    {
        double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        return new Parameter(empty(fanIn, fanOut, device: _device).uniform_(-limit, limit, _generator));
    }

    /// <summary>Inverted dropout, as <c>nn.functional.dropout</c> computes it, with the mask drawn from the run's generator
    /// (TorchSharp's dropout takes none).</summary>
    private Tensor Dropout(Tensor values, double p) =>
        p <= 0 ? values : values * full_like(values, 1 - p).bernoulli(_generator) / (1 - p);
}
