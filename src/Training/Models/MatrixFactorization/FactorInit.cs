using NetflixRec.Training.Models.Scoring;
namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Seeded initial values for factor matrices.</summary>
internal static class FactorInit
{
    /// <summary>N(0, std²) values (Box–Muller: two uniforms give one normal).</summary>
    public static float[] Gaussian(Random random, long count, double std)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }

    /// <summary>Uniform values in [0, high).</summary>
    public static float[] Uniform(Random random, long count, double high)
    {
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            values[i] = (float)(high * random.NextDouble());
        }

        return values;
    }

    /// <summary>A copy of a factor model's arrays, for keeping the best epoch while training goes on.</summary>
    public static IRatingModel Copy(IRatingModel model)
    {
        var factors = (FactorModel)model;
        return factors with
        {
            UserBias = factors.UserBias.ToArray(),
            MovieBias = factors.MovieBias.ToArray(),
            UserFactors = factors.UserFactors.ToArray(),
            MovieFactors = factors.MovieFactors.ToArray(),
        };
    }
}
