namespace NetflixRec.Training.Data.Synthetic;

/// <summary>What a random stream is used for; part of its seed so that streams never overlap.</summary>
internal enum RngStream
{
    Customers = 1,
    Users,
    Movies,
    Titles,
    MovieCounts,
    Raters,
    TopUp,
    Pilot,
    Ratings,
    HoldOutCounts,
    HoldOutSplit,
    TieBreak,
    Floor,
    HoldOutOrder,
    Sessions,
    Moods,
}

/// <summary>
/// xoshiro256** seeded through SplitMix64 from (seed, stream, index). Each movie or user draws from its own stream, so
/// results never depend on thread scheduling. A mutable struct on purpose: it lives in locals of hot loops.
/// </summary>
internal struct Rng
{
    private const double DoubleUnit = 1.0 / (1UL << 53);

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    private Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
        _spareGaussian = 0;
        _hasSpare = false;
    }

    public static Rng Create(int seed, RngStream stream, long index) => new(Hash(seed, stream, index));

    /// <summary>A well-mixed 64-bit value of (seed, stream, index): for tie-breaks that must not depend on order.</summary>
    public static ulong Hash(int seed, RngStream stream, long index)
    {
        ulong state = (ulong)(uint)seed;
        ulong h = SplitMix(ref state);
        state = h ^ ((ulong)stream * 0xD1B54A32D192ED03UL);
        h = SplitMix(ref state);
        state = h ^ (ulong)index;
        return SplitMix(ref state);
    }

    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * DoubleUnit;

    /// <summary>Uniform in [0, n) without modulo bias (Lemire).</summary>
    public int NextInt(int n)
    {
        ulong bound = (ulong)n;
        ulong product = (NextUInt64() >> 32) * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (uint)((0x1_0000_0000UL - bound) % bound);
            while (low < threshold)
            {
                product = (NextUInt64() >> 32) * bound;
                low = (uint)product;
            }
        }

        return (int)(product >> 32);
    }

    /// <summary>Standard normal (Marsaglia's polar method).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u;
        double v;
        double s;
        do
        {
            u = (2 * NextDouble()) - 1;
            v = (2 * NextDouble()) - 1;
            s = (u * u) + (v * v);
        }
        while (s >= 1 || s == 0);

        double factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpare = true;
        return u * factor;
    }

    /// <summary>Rounds x up with probability equal to its fractional part, so sums stay right on average.</summary>
    public int StochasticRound(double x)
    {
        double floor = Math.Floor(x);
        return (int)floor + (NextDouble() < x - floor ? 1 : 0);
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
