namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The standard normal CDF by W. J. Cody's rational Chebyshev approximations (as in R's <c>pnorm</c>): about 1e-15
/// relative error, which keeps the oracle's expected ratings exact to float precision.
/// </summary>
internal static class Normal
{
    private const double InverseSqrtTwoPi = 0.398942280401432677939946059934;
    private const double SqrtThirtyTwo = 5.656854249492380195206754896838;

    private static readonly double[] A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
    private static readonly double[] B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];

    private static readonly double[] C =
    [
        0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
        6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
    ];

    private static readonly double[] D =
    [
        22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
        34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
    ];

    private static readonly double[] P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
    private static readonly double[] Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];

    /// <summary>Φ(x) = P(Z ≤ x) for a standard normal Z.</summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        double y = Math.Abs(x);
        if (y <= 0.67448975)
        {
            double xsq = x * x;
            double xnum = A[4] * xsq;
            double xden = xsq;
            for (int i = 0; i < 3; i++)
            {
                xnum = (xnum + A[i]) * xsq;
                xden = (xden + B[i]) * xsq;
            }

            return 0.5 + (x * (xnum + A[3]) / (xden + B[3]));
        }

        double lowerTail;
        if (y <= SqrtThirtyTwo)
        {
            double xnum = C[8] * y;
            double xden = y;
            for (int i = 0; i < 7; i++)
            {
                xnum = (xnum + C[i]) * y;
                xden = (xden + D[i]) * y;
            }

            lowerTail = GaussianTail(y) * (xnum + C[7]) / (xden + D[7]);
        }
        else if (y < 38.5)
        {
            double xsq = 1.0 / (x * x);
            double xnum = P[5] * xsq;
            double xden = xsq;
            for (int i = 0; i < 4; i++)
            {
                xnum = (xnum + P[i]) * xsq;
                xden = (xden + Q[i]) * xsq;
            }

            double temp = xsq * (xnum + P[4]) / (xden + Q[4]);
            lowerTail = GaussianTail(y) * (InverseSqrtTwoPi - temp) / y;
        }
        else
        {
            lowerTail = 0;
        }

        // lowerTail is P(Z ≤ −|x|).
        return x > 0 ? 1 - lowerTail : lowerTail;
    }

    // exp(−y²/2) split so that the rounding of y² does not cost precision in the far tail.
    private static double GaussianTail(double y)
    {
        double ysq = Math.Truncate(y * 16) / 16;
        double del = (y - ysq) * (y + ysq);
        return Math.Exp(-ysq * ysq * 0.5) * Math.Exp(-del * 0.5);
    }
}
