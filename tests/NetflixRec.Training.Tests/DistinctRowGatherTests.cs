using NetflixRec.Training.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetflixRec.Training.Tests;

/// <summary>The in-place gather against torch's <c>index_select</c> over several optimizer steps.</summary>
[Collection(TorchCollection.Name)]
public sealed class DistinctRowGatherTests
{
    [Fact]
    public void Apply_SeveralSteps_SameValuesGradientsAndWeightsAsIndexSelect()
    {
        using DisposeScope scope = NewDisposeScope();
        var generator = new Generator(11);
        var random = new Random(3);
        Tensor start = randn([257, 6], generator: generator);
        var gathered = new Parameter(start.clone());
        var selected = new Parameter(start.clone());
        using var gatheredAdam = new FusedAdam([gathered], 0.05);
        using var selectedAdam = new FusedAdam([selected], 0.05);

        for (int step = 1; step <= 4; step++)
        {
            // Distinct rows in random order (a few, or every one of them in the last step), and an empty step.
            int count = step switch { 3 => 0, 4 => 257, _ => random.Next(1, 60) };
            long[] picked = [.. Enumerable.Range(0, 257).OrderBy(_ => random.Next()).Take(count).Select(i => (long)i)];
            Tensor rows = tensor(picked, [picked.LongLength], ScalarType.Int64);
            Tensor weights = randn([count, 6], generator: generator);

            gatheredAdam.ZeroGrad();
            TextWriter stdout = Console.Out;
            using var printed = new StringWriter();
            Console.SetOut(printed); // TorchSharp prints a warning on stdout for tensors saved its way (breaks --json)
            Tensor mine = DistinctRowGather.Apply(gathered, rows);
            (mine * mine * weights).sum().backward();
            Console.SetOut(stdout);
            Assert.Equal("", printed.ToString());
            selectedAdam.ZeroGrad();
            Tensor theirs = selected.index_select(0, rows);
            (theirs * theirs * weights).sum().backward();

            Assert.Equal(Values(theirs), Values(mine));
            Assert.Equal(selected.grad!.data<float>().ToArray(), gathered.grad!.data<float>().ToArray());

            gatheredAdam.Step();
            selectedAdam.Step();
            Assert.Equal(selected.data<float>().ToArray(), gathered.data<float>().ToArray());
        }
    }

    [Fact]
    public void Backward_AfterTheFirstStep_FaultsInNoTableSizedBlock()
    {
        TorchRuntime.Configure(threads: 1, seed: 1); // one thread: torch fills and adds on this one
        using DisposeScope scope = NewDisposeScope();
        const long Rows = 1L << 22; // a 64 MB table of 4-wide rows: above glibc's largest mmap threshold
        var table = new Parameter(zeros(Rows, 4));
        using var adam = new FusedAdam([table], 0.01);
        Tensor rows = tensor(new long[] { 5, Rows - 1, 77 }, [3], ScalarType.Int64);

        long Faults(Func<Tensor, Tensor> gather)
        {
            adam.ZeroGrad();
            Tensor loss = gather(rows).sum();
            long before = ThreadMinorFaults();
            loss.backward();
            return ThreadMinorFaults() - before;
        }

        Faults(r => DistinctRowGather.Apply(table, r)); // the first step hands autograd the gradient to keep
        long mine = Faults(r => DistinctRowGather.Apply(table, r));
        long theirs = Faults(r => table.index_select(0, r));

        // index_select's backward maps and zeroes a fresh table (16,384 pages of 4 kB); the gather writes three rows.
        Assert.True(theirs > 8192, $"index_select's backward faulted in only {theirs} pages: the measurement cannot tell");
        Assert.True(mine < 256, $"{mine} page faults in the gather's backward");
    }

    // TorchSharp's accessor throws on an empty tensor.
    private static float[] Values(Tensor t) => t.numel() == 0 ? [] : t.data<float>().ToArray();

    // Field 10 of /proc/thread-self/stat (after the parenthesized command name): this thread's minor page faults.
    private static long ThreadMinorFaults()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
