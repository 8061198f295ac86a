using System.Diagnostics;

namespace NetflixRec.Training.Cli;

/// <summary>
/// The process's CPU time sampled against wall time (every 200 ms on a background timer), so a benchmark can ask how
/// many CPU seconds any past wall interval took — an epoch's, knowing only when it ended and how long it lasted. On
/// cores shared with other processes wall time overstates a kernel's cost; CPU seconds do not.
/// </summary>
internal sealed class CpuTimeline : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(double Wall, double Cpu)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Timer _timer;

    public CpuTimeline()
    {
        Sample();
        _timer = new Timer(_ => Sample(), null, 200, 200);
    }

    /// <summary>Seconds since this timeline started.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    /// <summary>CPU seconds the process used between two wall times (seconds since start), interpolating samples.</summary>
    public double CpuBetween(double from, double to)
    {
        Sample();
        lock (_gate)
        {
            return CpuAt(to) - CpuAt(from);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Sample()
    {
        using Process self = Process.GetCurrentProcess();
        double cpu = self.TotalProcessorTime.TotalSeconds;
        lock (_gate)
        {
            _samples.Add((Now, cpu));
        }
    }

    private double CpuAt(double wall)
    {
        int i = _samples.FindIndex(s => s.Wall >= wall);
        if (i <= 0)
        {
            return i == 0 ? _samples[0].Cpu : _samples[^1].Cpu;
        }

        (double w0, double c0) = _samples[i - 1];
        (double w1, double c1) = _samples[i];
        return w1 <= w0 ? c1 : c0 + ((c1 - c0) * (wall - w0) / (w1 - w0));
    }
}
