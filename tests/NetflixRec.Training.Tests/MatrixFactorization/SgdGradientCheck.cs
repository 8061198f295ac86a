using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Tests.MatrixFactorization;

/// <summary>One parameter of a time model's SGD step: where it lives, its rate and its penalty (pulling it toward <paramref name="Center"/>).</summary>
internal sealed record SgdTerm(string Name, float[] Array, int Index, float Rate, float Reg, float Center = 0);

/// <summary>
/// The check the time models' tests share: one SGD step of user 0 (<see cref="TimeSgdState.TrainUser"/>) must move every
/// term by −rate · ∂L/∂θ, with L = ½ (5 − r̂(user 0, movie 1, day 11800))² + ½ λ (θ − center)² taken by central differences.
/// </summary>
internal static class SgdGradientCheck
{
    public static void StepsAlongCentralDifferences(TimeSgdState state, TimeRates rates, int factors, IReadOnlyList<SgdTerm> terms, bool requireNonZero)
    {
        double Loss(SgdTerm term)
        {
            double error = 5 - state.Snapshot("t").Predict(0, 1, 11800);
            double theta = term.Array[term.Index] - term.Center;
            return (0.5 * error * error) + (0.5 * term.Reg * theta * theta);
        }

        var gradients = new double[terms.Count];
        for (int t = 0; t < terms.Count; t++)
        {
            SgdTerm term = terms[t];
            float saved = term.Array[term.Index];
            const float h = 1e-2f;
            term.Array[term.Index] = saved + h;
            double up = Loss(term);
            term.Array[term.Index] = saved - h;
            double down = Loss(term);
            term.Array[term.Index] = saved;
            gradients[t] = (up - down) / (2 * h);
        }

        float[] before = [.. terms.Select(term => term.Array[term.Index])];
        state.TrainUser(0, rates, new TimeSgdScratch(factors));

        for (int t = 0; t < terms.Count; t++)
        {
            double step = (terms[t].Array[terms[t].Index] - before[t]) / terms[t].Rate;
            if (requireNonZero)
            {
                Assert.True(Math.Abs(gradients[t]) > 1e-3, $"{terms[t].Name}: the check needs a gradient that is not zero");
            }

            Assert.True(Math.Abs(step + gradients[t]) < 2e-3 * Math.Max(1, Math.Abs(gradients[t])),
                $"{terms[t].Name}: step/rate {step:F5}, −∂L/∂θ {-gradients[t]:F5}");
        }
    }
}
