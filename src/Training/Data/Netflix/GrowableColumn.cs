using System.Buffers;
using System.Runtime.CompilerServices;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>An append-only column over a pooled array; <see cref="ToArray"/> copies out the exact-size result.</summary>
internal sealed class GrowableColumn<T> : IDisposable
{
    private T[] _items;

    public GrowableColumn(int capacity) => _items = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(T item)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[Count++] = item;
    }

    public T[] ToArray() => _items.AsSpan(0, Count).ToArray();

    public void Clear() => Count = 0;

    public void Dispose()
    {
        ArrayPool<T>.Shared.Return(_items);
        _items = [];
    }

    private void Grow()
    {
        T[] larger = ArrayPool<T>.Shared.Rent(_items.Length * 2);
        Array.Copy(_items, larger, Count);
        ArrayPool<T>.Shared.Return(_items);
        _items = larger;
    }
}
