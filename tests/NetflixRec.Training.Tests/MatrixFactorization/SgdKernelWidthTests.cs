using NetflixRec.Training.Models.MatrixFactorization;
using NetflixRec.Training.Numerics;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>
/// Every row-update path (Row64, Row512, Row256, scalar) on every machine, each against a double-precision reference:
/// a width the CPU lacks runs in software, so a machine without AVX-512 still covers the AVX-512 kernels and one with
/// it still covers the fallbacks.
/// </summary>
public sealed class SgdKernelWidthTests
{
    private static readonly SgdStep s_step = new(0.05f, 0.1f, 0.02f);

    public static TheoryData<string, int> WidthsAndStrides()
    {
        var data = new TheoryData<string, int>();
        foreach (SimdWidth width in SimdWidths.All)
        {
            // 64 selects Row64 at Vector512; 16, 48 and 128 select Row512.
            foreach (int stride in new[] { 16, 48, 64, 128 })
            {
                data.Add(width.ToString(), stride);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WidthsAndStrides))]
    public void Update_EachWidth_MatchesDoubleReference(string widthName, int stride)
    {
        SimdWidth width = Enum.Parse<SimdWidth>(widthName);
        var random = new Random(stride);
        float[] p = RandomRow(random, stride), q = RandomRow(random, stride);
        double[] pd = [.. p.Select(v => (double)v)], qd = [.. q.Select(v => (double)v)];
        float userBias = 0.3f, movieBias = -0.2f;
        double bu = userBias, bi = movieBias;

        float error = SgdKernel.Update(p, q, ref userBias, ref movieBias, 1.1f, s_step, width);
        double expectedError = ReferenceUpdate(pd, qd, ref bu, ref bi, 1.1);

        Assert.Equal(expectedError, error, 1e-5);
        AssertClose(pd, p, 1e-6);
        AssertClose(qd, q, 1e-6);
        Assert.Equal(bu, userBias, 1e-6);
        Assert.Equal(bi, movieBias, 1e-6);
    }

    [Theory]
    [MemberData(nameof(WidthsAndStrides))]
    public void RunBlock_EachWidth_MatchesDoubleReferenceInVisitOrder(string widthName, int stride)
    {
        SimdWidth width = Enum.Parse<SimdWidth>(widthName);
        const int Users = 5, Movies = 7;
        const float Mean = 3.6f;
        var random = new Random(1000 + stride);

        // 4 streams of 9 plus a tail of 3: the interleaved loop and the remainder both run.
        SgdEntry[] entries = [.. Enumerable.Range(0, 39).Select(_ => new SgdEntry(random.Next(Users), (ushort)random.Next(Movies), (byte)random.Next(1, 6)))];
        float[] p = RandomRow(random, Users * stride), q = RandomRow(random, Movies * stride);
        float[] bu = RandomRow(random, Users), bi = RandomRow(random, Movies);
        double[] pd = [.. p.Select(v => (double)v)], qd = [.. q.Select(v => (double)v)];
        double[] bud = [.. bu.Select(v => (double)v)], bid = [.. bi.Select(v => (double)v)];

        double squares = SgdKernel.RunBlock(entries, p, q, bu, bi, Mean, stride, s_step, width);

        double expectedSquares = 0;
        foreach (int i in VisitOrder(entries.Length))
        {
            SgdEntry e = entries[i];
            double[] pu = pd.AsSpan(e.User * stride, stride).ToArray(), qi = qd.AsSpan(e.Movie * stride, stride).ToArray();
            double error = ReferenceUpdate(pu, qi, ref bud[e.User], ref bid[e.Movie], e.Rating - (double)Mean);
            pu.CopyTo(pd, e.User * stride);
            qi.CopyTo(qd, e.Movie * stride);
            expectedSquares += error * error;
        }

        Assert.Equal(expectedSquares, squares, 1e-4 * Math.Max(1, expectedSquares));
        AssertClose(pd, p, 1e-5);
        AssertClose(qd, q, 1e-5);
        AssertClose(bud, bu, 1e-5);
        AssertClose(bid, bi, 1e-5);
    }

    [Fact]
    public void Update_AllWidths_AgreeWithEachOther()
    {
        // Same inputs, same outputs up to float rounding, whichever path runs.
        var random = new Random(3);
        float[] p0 = RandomRow(random, 64), q0 = RandomRow(random, 64);
        float[] errors = [.. SimdWidths.All.Select(width =>
        {
            float[] p = (float[])p0.Clone(), q = (float[])q0.Clone();
            float userBias = 0f, movieBias = 0f;
            return SgdKernel.Update(p, q, ref userBias, ref movieBias, 0.5f, s_step, width);
        })];

        Assert.All(errors, e => Assert.Equal(errors[0], e, 1e-5));
    }

    // The order RunBlock visits a block in: four interleaved stretches, then the remainder.
    private static IEnumerable<int> VisitOrder(int count)
    {
        int stretch = count / SgdKernel.Streams;
        for (int i = 0; i < stretch; i++)
        {
            for (int s = 0; s < SgdKernel.Streams; s++)
            {
                yield return (s * stretch) + i;
            }
        }

        for (int i = SgdKernel.Streams * stretch; i < count; i++)
        {
            yield return i;
        }
    }

    // e = r − b_u − b_i − p·q; p ← p + η(e q − λ_f p), q ← q + η(e p − λ_f q) with the old p; b ← b + η(e − λ_b b).
    private static double ReferenceUpdate(double[] p, double[] q, ref double bu, ref double bi, double residual)
    {
        double dot = 0;
        for (int f = 0; f < p.Length; f++)
        {
            dot += p[f] * q[f];
        }

        double e = residual - bu - bi - dot, eta = s_step.LearningRate;
        for (int f = 0; f < p.Length; f++)
        {
            double pf = p[f], qf = q[f];
            p[f] = pf + (eta * ((e * qf) - (s_step.RegularizationFactors * pf)));
            q[f] = qf + (eta * ((e * pf) - (s_step.RegularizationFactors * qf)));
        }

        bu += eta * (e - (s_step.RegularizationBias * bu));
        bi += eta * (e - (s_step.RegularizationBias * bi));
        return e;
    }

    private static float[] RandomRow(Random random, int length) => [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];

    private static void AssertClose(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}]: expected {expected[i]}, got {actual[i]}");
        }
    }
}
