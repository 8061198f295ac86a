using System.Text.Json.Nodes;

namespace NetflixRec.Training.Tuning;

/// <summary>
/// The Tree-structured Parzen Estimator (Bergstra et al., 2011), univariate as in Hyperopt and Optuna's default: after
/// <see cref="StartupTrials"/> random trials, the finished trials are split into the best γ and the rest; each parameter
/// gets a Parzen density l(x) over the good values and g(x) over the others (Gaussian kernels in the unit interval,
/// truncated to it, plus a broad prior; smoothed counts for choices); candidates drawn from l are scored by
/// Σ log l(x) − log g(x) and the best is proposed. Pruned trials count among the bad ones: their curves were behind.
/// </summary>
public sealed class TpeSampler(int seed, int startupTrials = 8, int candidates = 24, double gamma = 0.25) : ISampler
{
    private const double PriorSigma = 1.0;

    public string Name => "tpe";

    public int StartupTrials => startupTrials;

    public JsonObject Propose(SearchSpace space, IReadOnlyList<TrialRecord> history, int number)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(history);
        TrialRecord[] complete = [.. history.Where(t => t.IsComplete).OrderBy(t => t.Loss).ThenBy(t => t.Number)];
        if (complete.Length < startupTrials)
        {
            return new RandomSampler(seed).Propose(space, history, number);
        }

        int good = Math.Clamp((int)Math.Ceiling(gamma * complete.Length), 1, 25);
        TrialRecord[] below = complete[..good];
        TrialRecord[] above = [.. complete[good..], .. history.Where(t => t.Status == TrialStatus.Pruned)];
        Random random = Sampling.ForTrial(seed, number, 2);

        int dims = space.Parameters.Count;
        var l = new Density[dims];
        var g = new Density[dims];
        for (int p = 0; p < dims; p++)
        {
            ParameterRange range = space.Parameters[p];
            l[p] = Density.Fit(range, Coordinates(range, below));
            g[p] = Density.Fit(range, Coordinates(range, above));
        }

        double bestScore = double.NegativeInfinity;
        double[] best = new double[dims];
        double[] candidate = new double[dims];
        for (int c = 0; c < candidates; c++)
        {
            double score = 0;
            for (int p = 0; p < dims; p++)
            {
                candidate[p] = l[p].Sample(random);
                score += l[p].LogPdf(candidate[p]) - g[p].LogPdf(candidate[p]);
            }

            if (score > bestScore)
            {
                bestScore = score;
                Array.Copy(candidate, best, dims);
            }
        }

        return Sampling.At(space, best);
    }

    private static double[] Coordinates(ParameterRange range, IEnumerable<TrialRecord> trials) =>
        [.. trials.Select(t => range.ToUnit(t.Parameters[range.Name])).Where(u => u.HasValue).Select(u => u!.Value)];

    /// <summary>A one-dimensional Parzen estimator on [0, 1]: kernels at the observations plus the prior, or category weights.</summary>
    private sealed class Density
    {
        private readonly double[] _means;
        private readonly double[] _sigmas;
        private readonly double[] _weights;
        private readonly double[] _mass;
        private readonly int _categories;

        private Density(double[] means, double[] sigmas, double[] weights, int categories)
        {
            _means = means;
            _sigmas = sigmas;
            _weights = weights;
            _categories = categories;
            _mass = [.. means.Select((m, i) => categories > 0 ? 1 : Math.Max(1e-12, Phi((1 - m) / sigmas[i]) - Phi(-m / sigmas[i])))];
        }

        public static Density Fit(ParameterRange range, double[] points)
        {
            if (range.IsChoice)
            {
                // Category k sits at the centre of its cell; the weights are counts plus one (a uniform prior).
                int k = range.Values.Count;
                double[] weights = [.. Enumerable.Repeat(1.0, k)];
                foreach (double u in points)
                {
                    weights[Math.Min(k - 1, (int)(u * k))] += 1;
                }

                return new Density([.. Enumerable.Range(0, k).Select(i => (i + 0.5) / k)], new double[k], Normalize(weights), k);
            }

            // Hyperopt's bandwidths: each kernel as wide as the larger gap to its sorted neighbours (the prior at 0.5
            // included), clipped below so that a cluster of good values still keeps some spread.
            double[] means = [.. points.Append(0.5).Order()];
            int prior = Array.IndexOf(means, 0.5);
            double minSigma = 1.0 / Math.Min(100, means.Length + 1);
            double[] sigmas = new double[means.Length];
            for (int i = 0; i < means.Length; i++)
            {
                double left = i > 0 ? means[i] - means[i - 1] : means[i];
                double right = i < means.Length - 1 ? means[i + 1] - means[i] : 1 - means[i];
                sigmas[i] = Math.Clamp(Math.Max(left, right), minSigma, 1.0);
            }

            sigmas[prior] = PriorSigma;
            return new Density(means, sigmas, Normalize([.. Enumerable.Repeat(1.0, means.Length)]), 0);
        }

        public double Sample(Random random)
        {
            int component = Pick(random);
            if (_categories > 0)
            {
                return _means[component];
            }

            for (int attempt = 0; attempt < 64; attempt++)
            {
                double x = _means[component] + (_sigmas[component] * Gaussian(random));
                if (x is >= 0 and <= 1)
                {
                    return x;
                }
            }

            return Math.Clamp(_means[component], 0, 1);
        }

        public double LogPdf(double x)
        {
            if (_categories > 0)
            {
                return Math.Log(_weights[Math.Min(_categories - 1, (int)(x * _categories))]);
            }

            double density = 0;
            for (int i = 0; i < _means.Length; i++)
            {
                double z = (x - _means[i]) / _sigmas[i];
                density += _weights[i] * Math.Exp(-0.5 * z * z) / (_sigmas[i] * Math.Sqrt(2 * Math.PI) * _mass[i]);
            }

            return Math.Log(Math.Max(density, 1e-300));
        }

        private int Pick(Random random)
        {
            double u = random.NextDouble();
            for (int i = 0; i < _weights.Length; i++)
            {
                u -= _weights[i];
                if (u < 0)
                {
                    return i;
                }
            }

            return _weights.Length - 1;
        }

        private static double[] Normalize(double[] weights)
        {
            double sum = weights.Sum();
            return [.. weights.Select(w => w / sum)];
        }

        private static double Gaussian(Random random)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>The standard normal CDF (Abramowitz–Stegun 7.1.26 for erf; 1.5e-7 absolute error is ample here).</summary>
        private static double Phi(double z)
        {
            double x = Math.Abs(z) / Math.Sqrt(2);
            double t = 1 / (1 + (0.3275911 * x));
            double poly = t * (0.254829592 + (t * (-0.284496736 + (t * (1.421413741 + (t * (-1.453152027 + (t * 1.061405429))))))));
            double erf = 1 - (poly * Math.Exp(-x * x));
            return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
        }
    }
}
