using NetflixRec.Training.Data.Transforms;

namespace NetflixRec.Training.Tests.Evaluation;

internal static class Tables
{
    /// <summary>A rating table from (user, movie, stars) triples; days are zero.</summary>
    public static RatingTable Of(params (int User, int Movie, int Stars)[] rows) =>
        new(rows.Select(r => r.User).ToArray(), rows.Select(r => (short)r.Movie).ToArray(), rows.Select(r => (byte)r.Stars).ToArray(), new short[rows.Length]);
}
