using static TorchSharp.torch;

namespace NetflixRec.Training.Models.Torch;

/// <summary>
/// A float buffer kept from step to step, grown as needed, that hands out views of its first values. A per-step tensor
/// the size of a batch's table rows (32 MB for item-based AutoRec at full) is otherwise fresh memory every step: above
/// glibc's mmap threshold it is mapped, faulted in and zeroed by the kernel, and unmapped again.
/// </summary>
internal sealed class KeptBuffer(Device device) : IDisposable
{
    private Tensor _buffer = empty(0, device: device).DetachFromDisposeScope();

    /// <summary>
    /// A view of the first values in the given shape, holding whatever the last user left there. The caller disposes
    /// the view; growing the buffer later leaves the storage of earlier views alive until they are disposed.
    /// </summary>
    public Tensor View(params long[] shape)
    {
        long n = 1;
        foreach (long size in shape)
        {
            n *= size;
        }

        if (_buffer.numel() < n)
        {
            _buffer.Dispose();
            _buffer = empty(n + (n / 4), device: device).DetachFromDisposeScope();
        }

        return _buffer.narrow(0, 0, n).view(shape);
    }

    public void Dispose() => _buffer.Dispose();
}
