using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace NetflixRec.Contracts;

/// <summary>
/// The ONNX Runtime execution provider every session of this process uses, decided once at start-up: CUDA when its
/// provider library and the CUDA libraries load, else CPU. Appending CUDA on a machine without them throws
/// ("Failed to load shared library"), which is the signal to fall back. The one CUDA fallback of the code base: the
/// server decides once per process, training (export parity, bench-onnx) per scorer; both open their sessions through
/// <see cref="Runtime.ScoringSession"/> with <see cref="CreateSessionOptions"/>.
/// </summary>
public sealed class ExecutionProviderChoice
{
    public const string Cuda = "CUDAExecutionProvider";
    public const string Cpu = "CPUExecutionProvider";

    private ExecutionProviderChoice(string name, string reason, int intraOpThreads)
    {
        Name = name;
        Reason = reason;
        IntraOpThreads = intraOpThreads;
    }

    /// <summary>The provider's ONNX Runtime name (reported by ListModels and the metrics).</summary>
    public string Name { get; }

    /// <summary>Why this one: a short line for the start-up log.</summary>
    public string Reason { get; }

    public int IntraOpThreads { get; }

    public bool IsCuda => Name == Cuda;

    /// <summary>Probes CUDA unless <paramref name="requested"/> is "cpu"; "cuda" makes a failed probe fatal.</summary>
    public static ExecutionProviderChoice Decide(string requested, int intraOpThreads)
    {
        if (requested == "cpu")
        {
            return new ExecutionProviderChoice(Cpu, "requested by --execution-provider cpu", intraOpThreads);
        }

        try
        {
            using var probe = new SessionOptions();
            probe.AppendExecutionProvider_CUDA(0);
            return new ExecutionProviderChoice(Cuda, "CUDA provider and libraries loaded (device 0)", intraOpThreads);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            if (requested == "cuda")
            {
                throw new InvalidOperationException($"--execution-provider cuda: the CUDA provider does not load here ({FirstLine(e.Message)})", e);
            }

            return new ExecutionProviderChoice(Cpu, $"CUDA unavailable ({FirstLine(e.Message)})", intraOpThreads);
        }
    }

    /// <summary>Session options for one model: the chosen provider, full graph optimization, single-threaded runs.</summary>
    public SessionOptions CreateSessionOptions()
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = IntraOpThreads,
            InterOpNumThreads = 1,
            // Failures come back as exceptions that name the file or the call; ONNX Runtime's own log would repeat them on stderr.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        try
        {
            // Spinning intra-op threads would burn the cores that concurrent requests need.
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            AppendTo(options);
            return options;
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    // Adds the chosen provider (CPU needs nothing: it is always there).
    private void AppendTo(SessionOptions options)
    {
        if (IsCuda)
        {
            options.AppendExecutionProvider_CUDA(0);
        }
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Trim();
    }
}
