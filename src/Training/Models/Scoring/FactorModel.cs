using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using NetflixRec.Contracts;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Models.Scoring;

/// <summary>
/// r̂(u, i) = μ + b_u + b_i + p_u·q_i — the scoring form every matrix factorization model here reduces to: the bias
/// baseline (no factors), biased MF by SGD or ALS, NMF (non-negative factors, biases may be zero) and SVD++ (whose
/// implicit-feedback term is folded into p_u once training ends, since each user's rated set is fixed). The other
/// families score with its blocked SIMD kernel too (item AutoRec, GC-MC, LightGCN, SAGE), so it lives below them all.
/// Factors are row-major float32: <c>UserFactors[u * Factors + f]</c>.
/// </summary>
public sealed record FactorModel(
    string Name,
    string Family,
    float GlobalMean,
    ReadOnlyMemory<float> UserBias,
    ReadOnlyMemory<float> MovieBias,
    int Factors,
    ReadOnlyMemory<float> UserFactors,
    ReadOnlyMemory<float> MovieFactors) : IRatingModel
{
    // Movies per packed panel in ScoreAll: two Vector256<float>.
    private const int ChunkWidth = 16;

    // Pairs ahead whose user rows Predict asks for (PrefetchUser).
    private const int PrefetchDistance = 8;

    public int Users => UserBias.Length;

    public int Movies => MovieBias.Length;

    public IReadOnlyList<NamedTensor> Tensors =>
    [
        NamedTensor.Vector("global_mean", new[] { GlobalMean }),
        NamedTensor.Vector("user_bias", UserBias),
        NamedTensor.Vector("movie_bias", MovieBias),
        NamedTensor.Matrix("user_factors", Users, Factors, UserFactors),
        NamedTensor.Matrix("movie_factors", Movies, Factors, MovieFactors),
    ];

    public static FactorModel FromTensors(string name, string family, IReadOnlyList<NamedTensor> tensors, string path)
    {
        NamedTensor userFactors = SafeTensors.Require(tensors, "user_factors", path);
        var model = new FactorModel(name, family,
            SafeTensors.RequireScalar(tensors, "global_mean", path),
            SafeTensors.Require(tensors, "user_bias", path).Data,
            SafeTensors.Require(tensors, "movie_bias", path).Data,
            userFactors.Shape.Count == 2 ? userFactors.Shape[1] : throw new InvalidDataException($"{path}: user_factors must be a matrix"),
            userFactors.Data,
            SafeTensors.Require(tensors, "movie_factors", path).Data);
        model.Validate(path);
        return model;
    }

    /// <summary>Checks that the arrays agree with each other; a mismatch names the source.</summary>
    public void Validate(string source)
    {
        if (UserFactors.Length != (long)Users * Factors || MovieFactors.Length != (long)Movies * Factors)
        {
            throw new InvalidDataException($"{source}: factor matrices ({UserFactors.Length}, {MovieFactors.Length} values) do not match {Users} users, {Movies} movies × {Factors} factors");
        }
    }

    public float Predict(int user, int movie)
    {
        float dot = Factors == 0 ? 0f : TensorPrimitives.Dot(UserFactors.Span.Slice(user * Factors, Factors), MovieFactors.Span.Slice(movie * Factors, Factors));
        return GlobalMean + UserBias.Span[user] + MovieBias.Span[movie] + dot;
    }

    public void Predict(ReadOnlySpan<int> users, ReadOnlySpan<short> movies, Span<float> predictions)
    {
        for (int i = 0; i < users.Length; i++)
        {
            if (i + PrefetchDistance < users.Length)
            {
                PrefetchUser(users[i + PrefetchDistance]);
            }

            predictions[i] = Predict(users[i], movies[i]);
        }
    }

    /// <summary>
    /// Asks the CPU to start loading <paramref name="user"/>'s factors (a hint: no effect on results). Rated pairs in
    /// table order (by movie, as the Prize's files) name users at random in a table far larger than the caches (123 MB for
    /// 64 factors at Netflix size), so a caller that asks a few pairs ahead overlaps the misses instead of waiting for each.
    /// </summary>
    public void PrefetchUser(int user)
    {
        if (Factors > 0)
        {
            ScaledRowAdd.Prefetch(UserFactors.Span, user * Factors, Factors);
        }
    }

    public void ScoreAll(ReadOnlySpan<int> users, Span<float> scores) => ScoreAll(users, scores, SimdWidths.Best);

    /// <summary>
    /// <see cref="ScoreAll(ReadOnlySpan{int}, Span{float})"/> at a given width (tests run each): any vector width takes
    /// the Vector256 tiles, scalar a plain dot product per (user, movie).
    /// </summary>
    internal void ScoreAll(ReadOnlySpan<int> users, Span<float> scores, SimdWidth width)
    {
        if (scores.Length < (long)users.Length * Movies)
        {
            throw new ArgumentException($"{scores.Length} scores cannot hold {users.Length} users × {Movies} movies", nameof(scores));
        }

        if (Factors == 0)
        {
            for (int i = 0; i < users.Length; i++)
            {
                TensorPrimitives.Add(MovieBias.Span, GlobalMean + UserBias.Span[users[i]], scores.Slice(i * Movies, Movies));
            }

            return;
        }

        // The blocked kernel reads user factors through pointers: check every index and the array sizes first.
        Validate(nameof(ScoreAll));
        foreach (int user in users)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)user, (uint)Users, nameof(users));
        }

        if (width == SimdWidth.Scalar)
        {
            ScoreFactorsScalar(users, scores);
        }
        else
        {
            ScoreFactors(users, scores);
        }
    }

    // Machines without AVX2: the same sum, (μ + b_u + b_i) + p_u·q_i with the dot taken factor by factor.
    private void ScoreFactorsScalar(ReadOnlySpan<int> users, Span<float> scores)
    {
        int k = Factors, movies = Movies;
        ReadOnlySpan<float> userFactors = UserFactors.Span, movieFactors = MovieFactors.Span, movieBias = MovieBias.Span;
        for (int i = 0; i < users.Length; i++)
        {
            ReadOnlySpan<float> p = userFactors.Slice(users[i] * k, k);
            float userPart = GlobalMean + UserBias.Span[users[i]];
            Span<float> row = scores.Slice(i * movies, movies);
            for (int m = 0; m < movies; m++)
            {
                ReadOnlySpan<float> q = movieFactors.Slice(m * k, k);
                float dot = 0f;
                for (int f = 0; f < k; f++)
                {
                    dot += p[f] * q[f];
                }

                row[m] = (userPart + movieBias[m]) + dot;
            }
        }
    }

    // Users × movies as a blocked matrix product: movies are taken ChunkWidth at a time and packed factor-major into a
    // small panel (hot in L1), then every group of four users runs over the panel with eight independent Vector256
    // accumulators (4 users × 16 movies): one FMA per factor per accumulator instead of a horizontal dot product per
    // (user, movie). Each score is still (μ + b_u + b_i) + p_u·q_i; only the summation order of the dot product differs.
    private unsafe void ScoreFactors(ReadOnlySpan<int> users, Span<float> scores)
    {
        int k = Factors, movies = Movies;
        ReadOnlySpan<float> movieFactors = MovieFactors.Span;
        ReadOnlySpan<float> movieBias = MovieBias.Span;
        ReadOnlySpan<float> userBias = UserBias.Span;
        float[] panel = ArrayPool<float>.Shared.Rent((k + 1) * ChunkWidth);
        Span<float> tail = stackalloc float[4 * ChunkWidth];
        try
        {
            fixed (float* q = panel)
            fixed (float* p = UserFactors.Span)
            fixed (float* s = scores)
            fixed (float* t = tail)
            {
                float* bias = q + ((long)k * ChunkWidth);
                for (int m0 = 0; m0 < movies; m0 += ChunkWidth)
                {
                    int width = Math.Min(ChunkWidth, movies - m0);
                    Pack(movieFactors, movieBias, m0, width, k, panel);
                    bool full = width == ChunkWidth;
                    int i = 0;
                    for (; i + 4 <= users.Length; i += 4)
                    {
                        float* o = full ? s + ((long)i * movies) + m0 : t;
                        long stride = full ? movies : ChunkWidth;
                        Tile4x16(q, bias, k, p + ((long)users[i] * k), p + ((long)users[i + 1] * k), p + ((long)users[i + 2] * k), p + ((long)users[i + 3] * k),
                            GlobalMean + userBias[users[i]], GlobalMean + userBias[users[i + 1]], GlobalMean + userBias[users[i + 2]], GlobalMean + userBias[users[i + 3]],
                            o, stride);
                        if (!full)
                        {
                            for (int r = 0; r < 4; r++)
                            {
                                tail.Slice(r * ChunkWidth, width).CopyTo(scores.Slice(((i + r) * movies) + m0, width));
                            }
                        }
                    }

                    for (; i < users.Length; i++)
                    {
                        float* o = full ? s + ((long)i * movies) + m0 : t;
                        Tile1x16(q, bias, k, p + ((long)users[i] * k), GlobalMean + userBias[users[i]], o);
                        if (!full)
                        {
                            tail[..width].CopyTo(scores.Slice((i * movies) + m0, width));
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(panel);
        }
    }

    // panel[f * ChunkWidth + j] = q[m0 + j][f], then one row of movie biases; columns past the last movie are zero.
    private static void Pack(ReadOnlySpan<float> movieFactors, ReadOnlySpan<float> movieBias, int m0, int width, int k, float[] panel)
    {
        for (int j = 0; j < ChunkWidth; j++)
        {
            if (j < width)
            {
                ReadOnlySpan<float> q = movieFactors.Slice((m0 + j) * k, k);
                for (int f = 0; f < k; f++)
                {
                    panel[(f * ChunkWidth) + j] = q[f];
                }

                panel[(k * ChunkWidth) + j] = movieBias[m0 + j];
            }
            else
            {
                for (int f = 0; f <= k; f++)
                {
                    panel[(f * ChunkWidth) + j] = 0f;
                }
            }
        }
    }

    // out_r[j] = (μ + b_u + b_j) + Σ_f p_r[f] · panel[f][j] for four users r, rows stride apart. Pointer-walking keeps the
    // eight accumulators in registers (an indexed loop made the JIT spill them every iteration).
    private static unsafe void Tile4x16(float* q, float* bias, int k, float* p0, float* p1, float* p2, float* p3,
        float u0, float u1, float u2, float u3, float* o, long stride)
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
        Vector256<float> a2 = default, b2 = default, a3 = default, b3 = default;
        float* end = q + ((long)k * ChunkWidth);
        while (q < end)
        {
            Vector256<float> lo = Vector256.Load(q);
            Vector256<float> hi = Vector256.Load(q + 8);
            Vector256<float> x = Vector256.Create(*p0);
            a0 = Vector256.MultiplyAddEstimate(x, lo, a0);
            b0 = Vector256.MultiplyAddEstimate(x, hi, b0);
            x = Vector256.Create(*p1);
            a1 = Vector256.MultiplyAddEstimate(x, lo, a1);
            b1 = Vector256.MultiplyAddEstimate(x, hi, b1);
            x = Vector256.Create(*p2);
            a2 = Vector256.MultiplyAddEstimate(x, lo, a2);
            b2 = Vector256.MultiplyAddEstimate(x, hi, b2);
            x = Vector256.Create(*p3);
            a3 = Vector256.MultiplyAddEstimate(x, lo, a3);
            b3 = Vector256.MultiplyAddEstimate(x, hi, b3);
            q += ChunkWidth;
            p0++;
            p1++;
            p2++;
            p3++;
        }

        Vector256<float> biasLo = Vector256.Load(bias);
        Vector256<float> biasHi = Vector256.Load(bias + 8);
        StoreRow(o, u0, biasLo, biasHi, a0, b0);
        StoreRow(o + stride, u1, biasLo, biasHi, a1, b1);
        StoreRow(o + (2 * stride), u2, biasLo, biasHi, a2, b2);
        StoreRow(o + (3 * stride), u3, biasLo, biasHi, a3, b3);
    }

    private static unsafe void Tile1x16(float* q, float* bias, int k, float* p, float userPart, float* o)
    {
        Vector256<float> a = default, b = default;
        float* end = q + ((long)k * ChunkWidth);
        while (q < end)
        {
            Vector256<float> x = Vector256.Create(*p);
            a = Vector256.MultiplyAddEstimate(x, Vector256.Load(q), a);
            b = Vector256.MultiplyAddEstimate(x, Vector256.Load(q + 8), b);
            q += ChunkWidth;
            p++;
        }

        StoreRow(o, userPart, Vector256.Load(bias), Vector256.Load(bias + 8), a, b);
    }

    private static unsafe void StoreRow(float* o, float userPart, Vector256<float> biasLo, Vector256<float> biasHi, Vector256<float> dotLo, Vector256<float> dotHi)
    {
        Vector256<float> part = Vector256.Create(userPart);
        ((part + biasLo) + dotLo).Store(o);
        ((part + biasHi) + dotHi).Store(o + 8);
    }
}
