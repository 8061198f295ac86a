using System.Buffers;
using System.Runtime.InteropServices;

namespace NetflixRec.Training.Data.Store;

/// <summary>
/// Views the memory of a primitive column as bytes without copying, so Arrow buffers can wrap the dataset's own arrays:
/// writing a 100-million-row dataset then allocates nothing per batch but the compressed output.
/// </summary>
internal sealed class BytesOf<T>(ReadOnlyMemory<T> values) : MemoryManager<byte>
    where T : unmanaged
{
    private MemoryHandle _pin;

    public static ReadOnlyMemory<byte> View(ReadOnlyMemory<T> values) => new BytesOf<T>(values).Memory;

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(values.Span), values.Length));

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        _pin = values.Pin();
        unsafe
        {
            return new MemoryHandle((byte*)_pin.Pointer + elementIndex, default, this);
        }
    }

    public override void Unpin() => _pin.Dispose();

    protected override void Dispose(bool disposing)
    {
    }
}
