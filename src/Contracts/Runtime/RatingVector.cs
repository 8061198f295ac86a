using System.Numerics;

namespace NetflixRec.Contracts.Runtime;

/// <summary>
/// The <see cref="OnnxContract.UserRatings"/> input of one user: stars 1–5 at the movies they rated, 0 elsewhere. One
/// writer for the server (history as int16 movies and byte stars) and training (int32 columns and float ratings).
/// </summary>
public static class RatingVector
{
    /// <summary>Clears <paramref name="row"/> (one row of <see cref="OnnxContract.UserRatings"/>, one entry per movie) and
    /// writes <paramref name="stars"/>[i] at movie <paramref name="movies"/>[i].</summary>
    public static void Fill<TMovie, TStar>(Span<float> row, ReadOnlySpan<TMovie> movies, ReadOnlySpan<TStar> stars)
        where TMovie : IBinaryInteger<TMovie>
        where TStar : INumberBase<TStar>
    {
        if (movies.Length != stars.Length)
        {
            throw new ArgumentException($"{movies.Length} movies but {stars.Length} stars", nameof(stars));
        }

        row.Clear();
        for (int i = 0; i < movies.Length; i++)
        {
            row[int.CreateTruncating(movies[i])] = float.CreateTruncating(stars[i]);
        }
    }
}
