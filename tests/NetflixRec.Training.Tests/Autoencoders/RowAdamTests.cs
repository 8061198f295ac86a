using NetflixRec.Training.Models.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

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
}
