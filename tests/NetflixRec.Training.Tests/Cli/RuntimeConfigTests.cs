using System.Text.Json;

namespace NetflixRec.Training.Tests.Cli;

/// <summary>The runtime settings the netflixrec program is built with (its runtimeconfig.json, copied beside the tests).</summary>
public sealed class RuntimeConfigTests
{
    [Fact]
    public void Program_RuntimeConfig_WorkstationGcThatCompactsAFragmentedLargeObjectHeap()
    {
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "netflixrec.runtimeconfig.json")));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        // Without it, sage's per-step sampling arrays left the GC holding twice the heap committed at Netflix size.
        Assert.InRange(properties.GetProperty("System.GC.ConserveMemory").GetInt32(), 1, 9);
        Assert.False(properties.GetProperty("System.GC.Server").GetBoolean());
    }
}
