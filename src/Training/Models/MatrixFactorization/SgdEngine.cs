using System.Diagnostics;
using System.Numerics.Tensors;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Scoring;

namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>One SGD pass over the training ratings: RMSE of the errors seen before each update, updates made, wall time.</summary>
internal readonly record struct SgdPass(double TrainRmse, long Updates, double Seconds);

/// <summary>
/// The mutable state of biased-MF SGD, private to one training run: the block grid, the scheduler and the parameters.
/// Parameter rows are stored in the grid's slot order (see <see cref="SgdGrid"/>); factor rows are padded to a multiple of
/// 16 floats and 64-byte aligned in huge-page native memory, so the kernel works on raw pointers with aligned loads.
/// <see cref="Snapshot"/> copies them back to index order into an immutable model; <see cref="SaveBest"/> keeps one
/// copy of the best epoch's parameters in place of a model per epoch, so early stopping costs no allocation.
/// </summary>
internal sealed unsafe class SgdEngine : IDisposable
{
    private readonly SgdGrid _grid;
    private readonly SgdScheduler _scheduler;
    private readonly int _users;
    private readonly int _movies;
    private readonly int _factors;
    private readonly int _stride;
    private readonly int _threads;
    private readonly int _seed;
    private readonly float _mean;

    private readonly HugePageBuffer<float>[] _buffers;
    private readonly float* _userFactors;
    private readonly float* _movieFactors;
    private readonly float* _userBias;
    private readonly float* _movieBias;
    private HugePageBuffer<float>[]? _saved;
    private float[] _predictions = [];

    private SgdEngine(SgdGrid grid, int users, int movies, float mean, int factors, float initStd, int threads, int seed)
    {
        _grid = grid;
        _scheduler = new SgdScheduler(grid.Side);
        _users = users;
        _movies = movies;
        _mean = mean;
        _factors = factors;
        _stride = SgdKernel.Stride(factors);
        _threads = threads;
        _seed = seed;
        _buffers = [new((long)users * _stride), new((long)movies * _stride), new(users), new(movies)];
        _userFactors = _buffers[0].Pointer;
        _movieFactors = _buffers[1].Pointer;
        _userBias = _buffers[2].Pointer;
        _movieBias = _buffers[3].Pointer;

        FillGaussian((nint)_userFactors, grid.UserSlots, initStd, (ulong)seed * 2);
        FillGaussian((nint)_movieFactors, grid.MovieSlots, initStd, ((ulong)seed * 2) + 1);
    }

    /// <summary>Packs the ratings into a grid of <paramref name="gridSide"/>² blocks and initializes the parameters.</summary>
    public static SgdEngine Create(RatingTable train, int users, int movies, float mean, int factors, float initStd, int gridSide, int threads, int seed)
    {
        SgdGrid grid = SgdGrid.Build(train, users, movies, gridSide, seed, threads);
        return new SgdEngine(grid, users, movies, mean, factors, initStd, threads, seed);
    }

    /// <summary>One epoch: every rating updated exactly once, blocks in a random order drawn from the seed and the epoch.</summary>
    public SgdPass RunEpoch(int epoch, SgdStep step)
    {
        var clock = Stopwatch.StartNew();
        _scheduler.BeginEpoch(unchecked((_seed * 1_000_003) + epoch));
        var squares = new double[_threads];
        var updates = new long[_threads];
        var workers = new Thread[_threads - 1];
        for (int w = 0; w < workers.Length; w++)
        {
            int worker = w + 1;
            workers[w] = new Thread(() => Work(worker, step, squares, updates)) { IsBackground = true, Name = $"sgd-{worker}" };
            workers[w].Start();
        }

        Work(0, step, squares, updates);
        foreach (Thread thread in workers)
        {
            thread.Join();
        }

        long total = updates.Sum();
        return new SgdPass(total == 0 ? double.NaN : Math.Sqrt(squares.Sum() / total), total, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The current parameters as an immutable model (copies, without the padding).</summary>
    public FactorModel Snapshot(string name) => ModelOf(name, _buffers);

    /// <summary>The parameters kept by the last <see cref="SaveBest"/> as an immutable model.</summary>
    public FactorModel SnapshotSaved(string name) =>
        ModelOf(name, _saved ?? throw new InvalidOperationException("no parameters were saved"));

    /// <summary>Copies the current parameters aside (reusing one buffer set), to restore the best epoch at the end.</summary>
    public void SaveBest()
    {
        _saved ??= [.. _buffers.Select(b => new HugePageBuffer<float>(b.Length))];
        for (int i = 0; i < _buffers.Length; i++)
        {
            _buffers[i].Span.CopyTo(_saved[i].Span);
        }
    }

    /// <summary>Frees the packed ratings once training is over, before the final model is copied out.</summary>
    public void ReleaseRatings() => _grid.Dispose();

    /// <summary>
    /// RMSE of the current parameters on a table, predictions clipped to the star range as <see cref="RatingError"/>
    /// does (the same sums as <see cref="FactorModel.Predict(int, int)"/>), without copying the model out.
    /// </summary>
    public double Rmse(RatingTable table)
    {
        const int Chunk = 1 << 14;

        // Reused across epochs: a fresh array per epoch would be large-object garbage that the GC collects rarely.
        if (_predictions.Length != table.Count)
        {
            _predictions = new float[table.Count];
        }

        float[] predictions = _predictions;
        Parallel.For(0, (table.Count + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = _threads }, chunk =>
        {
            ReadOnlySpan<int> users = table.Users.Span, userSlots = _grid.UserSlots.Span, movieSlots = _grid.MovieSlots.Span;
            ReadOnlySpan<short> movies = table.Movies.Span;
            for (int i = chunk * Chunk; i < Math.Min(table.Count, (chunk + 1) * Chunk); i++)
            {
                nint user = userSlots[users[i]], movie = movieSlots[movies[i]];
                float dot = TensorPrimitives.Dot(new ReadOnlySpan<float>(_userFactors + (user * _stride), _factors),
                    new ReadOnlySpan<float>(_movieFactors + (movie * _stride), _factors));
                predictions[i] = RatingError.Clip(_mean + _userBias[user] + _movieBias[movie] + dot);
            }
        });
        return RatingError.Rmse(predictions, table.Ratings.Span);
    }

    public void Dispose()
    {
        _grid.Dispose();
        foreach (HugePageBuffer<float> buffer in _buffers.Concat(_saved ?? []))
        {
            buffer.Dispose();
        }
    }

    private FactorModel ModelOf(string name, HugePageBuffer<float>[] source)
    {
        var userFactors = new float[(long)_users * _factors];
        var movieFactors = new float[(long)_movies * _factors];
        var userBias = new float[_users];
        var movieBias = new float[_movies];
        Unpermute(source[0].Pointer, source[2].Pointer, _grid.UserSlots.Span, userFactors, userBias);
        Unpermute(source[1].Pointer, source[3].Pointer, _grid.MovieSlots.Span, movieFactors, movieBias);
        return new FactorModel(name, ModelFamily.MatrixFactorization, _mean, userBias, movieBias, _factors, userFactors, movieFactors);
    }

    private void Work(int worker, SgdStep step, double[] squares, long[] updates)
    {
        double sum = 0;
        long count = 0;
        for (int block = _scheduler.Next(-1); block >= 0; block = _scheduler.Next(block))
        {
            ReadOnlySpan<SgdEntry> entries = _grid.Block(block);
            sum += SgdKernel.RunBlock(entries, _userFactors, _movieFactors, _userBias, _movieBias, _mean, _stride, step);
            count += entries.Length;
        }

        squares[worker] = sum;
        updates[worker] = count;
    }

    /// <summary>Copies rows from slot order back to index order, without the padding.</summary>
    private void Unpermute(float* factors, float* bias, ReadOnlySpan<int> slots, float[] factorsOut, float[] biasOut)
    {
        for (int index = 0; index < slots.Length; index++)
        {
            nint slot = slots[index];
            new ReadOnlySpan<float>(factors + (slot * _stride), _factors).CopyTo(factorsOut.AsSpan(index * _factors, _factors));
            biasOut[index] = bias[slot];
        }
    }

    /// <summary>
    /// Gaussian rows stored at each index's slot. Each row draws from its own generator seeded by (seed, index), so the
    /// initial factors depend neither on the grid's shuffle nor on the thread count, and rows fill in parallel.
    /// </summary>
    private void FillGaussian(nint rows, ReadOnlyMemory<int> slots, float std, ulong seed)
    {
        const int Chunk = 4096;
        Parallel.For(0, (slots.Length + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = _threads }, chunk =>
        {
            ReadOnlySpan<int> slotOf = slots.Span;
            for (int index = chunk * Chunk; index < Math.Min(slotOf.Length, (chunk + 1) * Chunk); index++)
            {
                var row = new Span<float>((float*)rows + ((nint)slotOf[index] * _stride), _factors);
                ulong state = SplitMix64((seed << 32) ^ (ulong)index);
                for (int f = 0; f < row.Length; f += 2)
                {
                    // Box–Muller: two independent normals per pair of uniforms in (0, 1].
                    double u1 = ((SplitMix64(state += 0x9E3779B97F4A7C15) >> 11) + 1) * (1.0 / (1UL << 53));
                    double u2 = (SplitMix64(state += 0x9E3779B97F4A7C15) >> 11) * (1.0 / (1UL << 53));
                    double radius = std * Math.Sqrt(-2 * Math.Log(u1));
                    (double sin, double cos) = Math.SinCos(2 * Math.PI * u2);
                    row[f] = (float)(radius * cos);
                    if (f + 1 < row.Length)
                    {
                        row[f + 1] = (float)(radius * sin);
                    }
                }
            }
        });
    }

    /// <summary>Steele, Lea and Flood's SplitMix64 finalizer: a fast, well-mixed hash of a 64-bit counter.</summary>
    private static ulong SplitMix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
