using NetflixRec.Contracts;

namespace NetflixRec.Serving.Tests;

public sealed class ExecutionProviderChoiceTests
{
    [Fact]
    public void Decide_CpuRequested_CpuWithoutProbing()
    {
        ExecutionProviderChoice choice = ExecutionProviderChoice.Decide("cpu", 1);

        Assert.Equal(ExecutionProviderChoice.Cpu, choice.Name);
    }

    [Fact]
    public void Decide_CudaRequestedWhereAutoFallsBack_FailsNamingTheOption()
    {
        // Meaningful only where CUDA does not load (CI and the development machines); with a GPU, cuda succeeds.
        if (ExecutionProviderChoice.Decide("auto", 1).IsCuda)
        {
            Assert.Equal(ExecutionProviderChoice.Cuda, ExecutionProviderChoice.Decide("cuda", 1).Name);
            return;
        }

        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => ExecutionProviderChoice.Decide("cuda", 1));

        Assert.StartsWith("--execution-provider cuda:", e.Message, StringComparison.Ordinal);
    }
}
