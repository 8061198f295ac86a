namespace NetflixRec.Training.Models.MatrixFactorization;

/// <summary>Dense symmetric positive-definite solves for the small (k+1)² systems of ALS.</summary>
internal static class Cholesky
{
    /// <summary>
    /// Solves A x = b in place: <paramref name="a"/> (row-major d×d, lower triangle used) is overwritten by its Cholesky
    /// factor L, <paramref name="b"/> by x.
    /// </summary>
    public static void SolveInPlace(double[] a, double[] b, int d)
    {
        for (int j = 0; j < d; j++)
        {
            double diagonal = a[(j * d) + j];
            for (int p = 0; p < j; p++)
            {
                diagonal -= a[(j * d) + p] * a[(j * d) + p];
            }

            // Regularization keeps the system positive definite; guard against round-off all the same.
            double ljj = Math.Sqrt(Math.Max(diagonal, 1e-12));
            a[(j * d) + j] = ljj;
            for (int i = j + 1; i < d; i++)
            {
                double sum = a[(i * d) + j];
                for (int p = 0; p < j; p++)
                {
                    sum -= a[(i * d) + p] * a[(j * d) + p];
                }

                a[(i * d) + j] = sum / ljj;
            }
        }

        for (int i = 0; i < d; i++)
        {
            double sum = b[i];
            for (int p = 0; p < i; p++)
            {
                sum -= a[(i * d) + p] * b[p];
            }

            b[i] = sum / a[(i * d) + i];
        }

        for (int i = d - 1; i >= 0; i--)
        {
            double sum = b[i];
            for (int p = i + 1; p < d; p++)
            {
                sum -= a[(p * d) + i] * b[p];
            }

            b[i] = sum / a[(i * d) + i];
        }
    }
}
