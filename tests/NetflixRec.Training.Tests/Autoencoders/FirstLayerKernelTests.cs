using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models.Autoencoders;
using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Tests.MatrixFactorization;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests.Autoencoders;

/// <summary>The autoencoders' first layer as a CSR product against the torch formulation it replaces on the CPU.</summary>
[Collection(TorchCollection.Name)]
public sealed class FirstLayerKernelTests
{
    // Row 2 is empty (a batch never holds one, but the product must still give zeros); columns repeat across rows.
    private static readonly RatingIndex s_index = RatingIndex.ByUser(MfFixtures.Table(
    [
        (0, 5, 4), (0, 2, 3), (1, 2, 5), (3, 7, 1), (3, 5, 2), (3, 0, 3), (4, 1, 4), (4, 5, 1),
    ]), users: 5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FirstLayer_Batch_MatchesIndexSelectScaleIndexAddAndGradient(bool corrupted)
    {
        using DisposeScope scope = NewDisposeScope();
        SparseBatch batch = new SparseBatcher(s_index, columns: 8).Build([3, 0, 2, 4, 1]);
        Tensor entryRow = tensor(batch.EntryRow), entryColumn = tensor(batch.EntryColumn);
        // A corrupted input: some entries dropped to 0 and the rest scaled, as dropout draws them.
        Tensor values = corrupted ? tensor(batch.Values) * tensor(new float[] { 0f, 2f, 2f, 0f, 2f, 2f, 2f, 0f }) : tensor(batch.Values);
        Tensor start = randn([batch.Columns.Length, 6], generator: new Generator(5));
        Tensor upstream = randn([batch.Rows, 6], generator: new Generator(6));
        Tensor x1 = start.clone().requires_grad_(true), x2 = start.clone().requires_grad_(true);

        using SparseOperator layer = MaskedAutoencoderNet.FirstLayer(batch, values, corrupted);
        Tensor kernel = layer.Multiply(x1);
        Tensor reference = zeros(batch.Rows, 6).index_add(0, entryRow, x2.index_select(0, entryColumn) * values.unsqueeze(1), 1);
        (kernel * upstream).sum().backward();
        (reference * upstream).sum().backward();

        Assert.Equal(reference.data<float>().ToArray(), kernel.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
        Assert.Equal(x2.grad!.data<float>().ToArray(), x1.grad!.data<float>().ToArray(), (a, b) => Math.Abs(a - b) < 1e-5);
    }
}
