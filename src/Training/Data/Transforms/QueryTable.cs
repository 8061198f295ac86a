namespace NetflixRec.Training.Data.Transforms;

/// <summary>(user index, movie index, day) pairs to predict, with no rating: the qualifying set.</summary>
public sealed record QueryTable(ReadOnlyMemory<int> Users, ReadOnlyMemory<short> Movies, ReadOnlyMemory<short> Days)
{
    public static QueryTable Empty { get; } = new(ReadOnlyMemory<int>.Empty, ReadOnlyMemory<short>.Empty, ReadOnlyMemory<short>.Empty);

    public int Count => Users.Length;
}
