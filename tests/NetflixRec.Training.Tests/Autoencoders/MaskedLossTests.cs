using NetflixRec.Training.Models.Autoencoders;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

[Collection(TorchCollection.Name)]
public sealed class MaskedLossTests
{
    [Fact]
    public void SquaredError_GatheredEntries_GradientOnlyOnObservedColumns()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor code = tensor(new float[] { 0.5f, -1f, 2f, 0.25f, 1f, -0.5f }).reshape(2, 3).requires_grad_(true);
        Tensor output = arange(15, dtype: ScalarType.Float32).reshape(5, 3).div(10).requires_grad_(true);
        Tensor bias = ones(5).requires_grad_(true);
        // Observed: (row 0, column 1) = 4 and (row 1, column 3) = 2; columns 0, 2, 4 are unobserved in this batch.
        Tensor rows = tensor(new long[] { 0, 1 }), columns = tensor(new long[] { 1, 3 }), ratings = tensor(new float[] { 4f, 2f });

        MaskedLoss.SquaredError(MaskedLoss.GatherOutput(code, output, bias, rows, columns), ratings).backward();

        float[] outputGrad = output.grad!.data<float>().ToArray();
        float[] biasGrad = bias.grad!.data<float>().ToArray();
        foreach (int unobserved in new[] { 0, 2, 4 })
        {
            Assert.Equal([0f, 0f, 0f], outputGrad[(unobserved * 3)..((unobserved * 3) + 3)]);
            Assert.Equal(0f, biasGrad[unobserved]);
        }

        Assert.NotEqual(0f, biasGrad[1]);
        Assert.NotEqual(0f, biasGrad[3]);
    }

    [Fact]
    public void SquaredError_GatheredEntries_EqualsDenseLossUnderMask()
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(7);
        Tensor code = randn(3, 4, generator: generator).requires_grad_(true);
        Tensor output = randn(6, 4, generator: generator);
        Tensor bias = randn(6, generator: generator);
        long[] rowIds = [0, 0, 1, 2, 2, 2];
        long[] columnIds = [1, 5, 0, 2, 3, 5];
        float[] stars = [4, 1, 3, 5, 2, 4];
        Tensor mask = zeros(3, 6), targets = zeros(3, 6);
        for (int e = 0; e < rowIds.Length; e++)
        {
            mask[rowIds[e], columnIds[e]] = tensor(1f);
            targets[rowIds[e], columnIds[e]] = tensor(stars[e]);
        }

        Tensor gathered = MaskedLoss.SquaredError(MaskedLoss.GatherOutput(code, output, bias, tensor(rowIds), tensor(columnIds)), tensor(stars));
        Tensor gatheredGrad = autograd.grad([gathered], [code])[0];
        Tensor dense = code.matmul(output.t()) + bias;
        Tensor masked = ((dense - targets).square() * mask).sum();
        Tensor denseGrad = autograd.grad([masked], [code], create_graph: false)[0];

        Assert.Equal(masked.item<float>(), gathered.item<float>(), 1e-3);
        Assert.True(gatheredGrad.allclose(denseGrad, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void TrainBatch_UnobservedColumns_KeepTheirWeights()
    {
        using var net = new MaskedAutoencoderNet(new MaskedAutoencoderSpec(6, [4], Activation.Sigmoid, 0, 0, 0, 0.01, 0.05, new float[] { 3f, 3f, 3f, 3f, 3f, 3f }, CPU));
        OutputLayer before = net.OutputLayer();
        DenseLayer inputBefore = net.InputLayer();
        var batch = new SparseBatch([0], [2, 4], [0, 0], [0, 1], [5f, 1f]);

        net.TrainBatch(batch);

        OutputLayer after = net.OutputLayer();
        DenseLayer inputAfter = net.InputLayer();
        for (int column = 0; column < 6; column++)
        {
            bool observed = column is 2 or 4;
            bool outputSame = before.Weight.Span.Slice(column * 4, 4).SequenceEqual(after.Weight.Span.Slice(column * 4, 4));
            bool inputSame = inputBefore.Weight.Span.Slice(column * 4, 4).SequenceEqual(inputAfter.Weight.Span.Slice(column * 4, 4));
            Assert.Equal(!observed, outputSame);
            Assert.Equal(!observed, inputSame);
            Assert.Equal(!observed, before.Bias.Span[column] == after.Bias.Span[column]);
        }
    }
}
