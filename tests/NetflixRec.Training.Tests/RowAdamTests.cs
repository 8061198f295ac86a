using NetflixRec.Training.Models.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

[Collection(TorchCollection.Name)]
public sealed class RowAdamTests
{
    [Fact]
    public void Step_TouchedRows_FollowAdamAndOthersStay()
    {
        using DisposeScope scope = NewDisposeScope();
        using var adam = new RowAdam(arange(8, dtype: ScalarType.Float32).reshape(4, 2), learningRate: 0.1);
        Tensor rows = tensor(new long[] { 3, 1 });
        Tensor gradient = tensor(new float[] { 2f, -4f, 0.5f, 0f }).reshape(2, 2);

        adam.Step(rows, gradient, step: 1);

        // First Adam step: m̂ = g, v̂ = g², so each weight moves by −lr·sign(g) (0 where g = 0).
        float[] table = adam.Table.data<float>().ToArray();
        Assert.Equal([0f, 1f], table[0..2]);
        Assert.Equal(2f - 0.1f, table[2], 1e-5);
        Assert.Equal(3f, table[3], 1e-5);
        Assert.Equal([4f, 5f], table[4..6]);
        Assert.Equal(6f - 0.1f, table[6], 1e-5);
        Assert.Equal(7f + 0.1f, table[7], 1e-5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    public void Step_RowsTouchedEveryStep_EqualTorchAdamOnThoseRows(double weightDecay)
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(7);
        Tensor start = randn(6, 3, generator: generator);
        using var lazy = new RowAdam(start.clone(), learningRate: 0.05, weightDecay: weightDecay);
        var dense = new TorchSharp.Modules.Parameter(start.clone());
        using optim.Optimizer adam = optim.Adam([dense], 0.05, weight_decay: weightDecay);
        Tensor rows = tensor(new long[] { 4, 0, 2 });

        for (int step = 1; step <= 4; step++)
        {
            // Repeated indices in the use of the gathered rows: their gradients add up, in both optimizers alike.
            Tensor use = tensor(new long[] { 0, 1, 1, 2, 0 });
            Tensor weights = randn(5, 3, generator: generator);
            Tensor gathered = lazy.Gather(rows);
            (gathered.index_select(0, use) * weights).sum().backward();
            lazy.Step(rows, gathered.grad!, step);

            adam.zero_grad();
            (dense.index_select(0, rows).index_select(0, use) * weights).sum().backward();
            adam.step();
        }

        float[] expected = dense.detach().data<float>().ToArray(), actual = lazy.Table.data<float>().ToArray(), initial = start.data<float>().ToArray();
        foreach (int row in new[] { 4, 0, 2 })
        {
            Assert.Equal(expected[(row * 3)..((row * 3) + 3)], actual[(row * 3)..((row * 3) + 3)], (a, b) => Math.Abs(a - b) < 1e-5);
        }

        // Untouched rows keep their weights. Dense Adam agrees only without weight decay (λ·w is a gradient on every row).
        foreach (int row in new[] { 1, 3, 5 })
        {
            Assert.Equal(initial[(row * 3)..((row * 3) + 3)], actual[(row * 3)..((row * 3) + 3)]);
            if (weightDecay == 0)
            {
                Assert.Equal(expected[(row * 3)..((row * 3) + 3)], actual[(row * 3)..((row * 3) + 3)]);
            }
        }
    }

    [Fact]
    public void Step_RowSkippedAfterBeingTouched_KeepsItsWeightsWhereDenseAdamMovesIt()
    {
        using DisposeScope scope = NewDisposeScope();
        using var lazy = new RowAdam(zeros(2, 1), learningRate: 0.1);
        lazy.Step(tensor(new long[] { 0, 1 }), tensor(new float[] { 1f, 1f }).reshape(2, 1), step: 1);
        float afterFirst = lazy.Table.data<float>()[1];

        lazy.Step(tensor(new long[] { 0 }), tensor(new float[] { 1f }).reshape(1, 1), step: 2);

        Assert.Equal(afterFirst, lazy.Table.data<float>()[1]);
        Assert.NotEqual(afterFirst, lazy.Table.data<float>()[0]);
    }
}
