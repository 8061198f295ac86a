using NetflixRec.Training.Models.Torch;
using NetflixRec.Training.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>The CPU step of <see cref="RowAdam"/>, at every SIMD width, against its torch formulation: the same floats.</summary>
[Collection(TorchCollection.Name)]
public sealed class RowAdamKernelTests
{
    // SimdWidth is internal: the cases carry its name.
    // rootOnTensor: the two-pass step around torch.sqrt on a tensor (taken where libtorch's √ is not callable on a buffer).
    public static TheoryData<string, int, double, bool> Cases()
    {
        var cases = new TheoryData<string, int, double, bool>();
        foreach (SimdWidth simd in SimdWidths.All)
        {
            foreach (bool rootOnTensor in new[] { false, true })
            {
                foreach (int width in new[] { 1, 7, 16, 37, 128, 5000 })
                {
                    cases.Add(simd.ToString(), width, 0.0, rootOnTensor);
                }

                cases.Add(simd.ToString(), 37, 0.01, rootOnTensor);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void StepInPlace_SeveralSteps_MatchesTorchOps(string simdName, int width, double weightDecay, bool rootOnTensor)
    {
        SimdWidth simd = Enum.Parse<SimdWidth>(simdName);
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(3);
        Tensor start = randn([50, width], generator: generator);
        using var kernel = new RowAdam(start.clone(), learningRate: 0.05, weightDecay: weightDecay);
        using var reference = new RowAdam(start.clone(), learningRate: 0.05, weightDecay: weightDecay, torchOps: true);
        var random = new Random(width);

        for (int step = 1; step <= 5; step++)
        {
            // Distinct rows in random order, a different subset each step (the rows not drawn must stay as they are).
            long[] rows = [.. Enumerable.Range(0, 50).OrderBy(_ => random.Next()).Take(random.Next(1, 40)).Select(r => (long)r)];
            Tensor index = tensor(rows);
            Tensor gradient = randn([rows.Length, width], generator: generator);
            kernel.StepInPlace(index, gradient, step, simd, rootOnTensor);
            reference.Step(index, gradient, step);
        }

        // √ is torch's own, so every float is the torch formulation's (trajectories do not drift apart).
        Assert.Equal(reference.Table.data<float>().ToArray(), kernel.Table.data<float>().ToArray());
    }

    [Fact]
    public void Step_VectorTable_UpdatesOnlyTheGivenEntries()
    {
        // Bias tables are 1-D: one value per row.
        using DisposeScope scope = NewDisposeScope();
        using var adam = new RowAdam(zeros(5), learningRate: 0.1);

        adam.Step(tensor(new long[] { 4, 1 }), tensor(new float[] { 2f, -3f }), step: 1);

        float[] table = adam.Table.data<float>().ToArray();
        Assert.Equal(new[] { 0f, 0.1f, 0f, 0f, -0.1f }, table, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void Step_NoRows_LeavesTheTable()
    {
        using DisposeScope scope = NewDisposeScope();
        Tensor start = randn([4, 3], generator: new Generator(1));
        using var adam = new RowAdam(start.clone(), learningRate: 0.1);

        adam.Step(zeros(0, dtype: ScalarType.Int64), zeros(0, 3), step: 1);

        Assert.Equal(start.data<float>().ToArray(), adam.Table.data<float>().ToArray());
    }

    [Fact]
    public void Step_RowOutsideTheTable_ThrowsNamingTheRow()
    {
        using DisposeScope scope = NewDisposeScope();
        using var adam = new RowAdam(zeros(4, 2), learningRate: 0.1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => adam.Step(tensor(new long[] { 1, 4 }), zeros(2, 2), step: 1));

        Assert.Contains("row 4", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(128)]
    [InlineData(37)]
    public void Step_LargeBatches_RunInParallelChunksAndMatchTorchOps(int width)
    {
        // 3,000 rows cross the threshold where the kernel splits rows across threads (and its blocks of rows, for 37 floats
        // a row, end inside a row's vector tail); over 6 steps up to 2.3 M square roots are taken, enough that a correctly
        // rounded √ in place of torch's would differ somewhere.
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(9);
        Tensor start = randn([4000, width], generator: generator);
        using var kernel = new RowAdam(start.clone(), learningRate: 0.01);
        using var reference = new RowAdam(start.clone(), learningRate: 0.01, torchOps: true);

        for (int step = 1; step <= 6; step++)
        {
            Tensor rows = randperm(4000, generator: generator).narrow(0, 0, 3000);
            Tensor gradient = randn([3000, width], generator: generator) * Math.Pow(10, step - 3);
            kernel.Step(rows, gradient, step);
            reference.Step(rows, gradient, step);
        }

        Assert.Equal(reference.Table.data<float>().ToArray(), kernel.Table.data<float>().ToArray());
    }
}
