using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// The one place the trainers touch libtorch's process-wide state, and the tensor plumbing they share. libtorch keeps
/// one intra-op thread pool and one default generator per process. Ops that take a generator draw from the run's own
/// (<see cref="RunGenerator"/>: every trainer's initial weights); TorchSharp's module initializers and
/// <c>nn.functional.dropout</c> take none, so the trainers that use them (gcmc's linear layers, the autoencoders' and
/// gcmc's dropout) still need this default generator seeded per run,
/// which makes them deterministic only when no other run draws from it meanwhile. The thread count is only changed
/// when a run asks for a different one.
/// </summary>
public static partial class TorchRuntime
{
    private static readonly Lock s_gate = new();

    // libtorch's OpenMP workers spin-wait between parallel regions by default. Here the trainers interleave torch ops with
    // the managed sparse kernels (their own thread pool) on the same few cores, often shared with other processes, so
    // the spinning burned half of each epoch's CPU time (lightgcn on small: 14.3 → 7.4 CPU-s per epoch with PASSIVE).
    // libgomp reads the policy once, when libtorch loads, from the native environment (.NET's Environment keeps its own
    // copy on Unix), so it is set here, before this class first touches torch, unless the user chose a policy.
    static TorchRuntime()
    {
        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            _ = SetEnvironment("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
    }

    /// <summary>Whether libgomp was told to sleep rather than spin (the process environment libtorch reads).</summary>
    public static string OpenMpWaitPolicy => Marshal.PtrToStringAnsi(GetEnvironment("OMP_WAIT_POLICY")) ?? "";

    /// <summary>The device named in a config (<c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>), with threads and seed set for the run.</summary>
    /// <exception cref="InvalidDataException">The device is not a torch device, or CUDA is not available here.</exception>
    public static Device Prepare(string device, int threads, int seed)
    {
        Device parsed = ParseDevice(device);
        Configure(threads, seed);
        return parsed;
    }

    /// <summary>Explicit threads (0: all cores) and the seed of libtorch's default generator.</summary>
    public static void Configure(int threads, int seed)
    {
        int wanted = TrainingThreads.Resolve(threads);
        lock (s_gate)
        {
            if (torch.get_num_threads() != wanted)
            {
                torch.set_num_threads(wanted);
            }

            torch.manual_seed(seed);
        }
    }

    /// <exception cref="InvalidDataException">The device is not a torch device, or CUDA is not available here.</exception>
    public static Device ParseDevice(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
        {
            throw new InvalidDataException($"device '{device}': CUDA is not available to TorchSharp here (only the CPU build restores); use \"cpu\"");
        }

        try
        {
            return torch.device(device);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"device '{device}': not a torch device ({e.Message})", e);
        }
    }

    /// <summary>A float tensor's values, row-major, in a new managed array (what the immutable inference models hold).</summary>
    public static float[] ToArray(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);

        // detach/cpu/contiguous may each create a tensor: the scope disposes all of them.
        using DisposeScope scope = NewDisposeScope();
        using (no_grad())
        {
            Tensor values = tensor.detach().cpu().contiguous();
            // One block copy of the storage: TorchSharp's accessor walks the values one index at a time (a per-step
            // cost the autoencoders' backward paid on every batch).
            return values.dtype == ScalarType.Float32 && values.numel() <= int.MaxValue / sizeof(float)
                ? MemoryMarshal.Cast<byte, float>(values.bytes).ToArray()
                : values.data<float>().ToArray();
        }
    }

    public static Tensor Int64(long[] values, Device device) => torch.tensor(values, [values.LongLength], ScalarType.Int64).to(device);

    /// <summary>The first <paramref name="count"/> values (a reused batch buffer's filled part) as an int64 tensor.</summary>
    public static Tensor Int64(long[] values, int count, Device device) =>
        torch.tensor(values, [values.LongLength], ScalarType.Int64).narrow(0, 0, count).to(device);

    public static Tensor Float32(float[] values, Device device) => torch.tensor(values, [values.LongLength], ScalarType.Float32).to(device);

    /// <summary>One optimizer step: clear the gradients, backpropagate <paramref name="loss"/>, update.</summary>
    public static void Minimize(optim.Optimizer optimizer, Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetEnvironment(string name);
}
