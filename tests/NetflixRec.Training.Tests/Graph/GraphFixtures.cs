using NetflixRec.Contracts;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.Graph;

namespace NetflixRec.Training.Tests.Graph;

/// <summary>The hand-built graph the adjacency tests compute by hand, and helpers for the training tests.</summary>
internal static class GraphFixtures
{
    /// <summary>
    /// 3 users × 3 movies, 5 ratings: u0–m0 (5★), u0–m1 (3★), u1–m1 (4★), u2–m1 (1★), u2–m2 (2★).
    /// Degrees: u0 2, u1 1, u2 2, m0 1, m1 3, m2 1. Nodes: u0 u1 u2 = 0 1 2, m0 m1 m2 = 3 4 5.
    /// </summary>
    public static RatingTable ThreeByThree { get; } = new(
        new[] { 0, 0, 1, 2, 2 }, new short[] { 0, 1, 1, 1, 2 }, new byte[] { 5, 3, 4, 1, 2 }, new short[5]);

    public static BipartiteGraph ThreeByThreeGraph => BipartiteGraph.FromRatings(ThreeByThree, 3, 3);

    // Each (user, movie) pair rated with probability 0.3, 1–5 stars; about a quarter of the users and movies left isolated.
    public static BipartiteGraph RandomGraph(int users, int movies, Random random)
    {
        var u = new List<int>();
        var m = new List<short>();
        var stars = new List<byte>();
        for (int i = 0; i < users; i++)
        {
            bool isolated = users > 1 && random.Next(4) == 0;
            for (int j = 0; j < movies; j++)
            {
                if (!isolated && (j % 4 != 3 || movies == 1) && random.NextDouble() < 0.3)
                {
                    u.Add(i);
                    m.Add((short)j);
                    stars.Add((byte)random.Next(1, 6));
                }
            }
        }

        var table = new RatingTable(u.ToArray(), m.ToArray(), stars.ToArray(), new short[u.Count]);
        return BipartiteGraph.FromRatings(table, users, movies);
    }

    /// <summary>A synchronous progress sink (Progress&lt;T&gt; posts to the thread pool, too late to read per-thread state).</summary>
    public sealed class Recorder(Action<EpochRecord> onEpoch) : IProgress<EpochRecord>
    {
        public void Report(EpochRecord value) => onEpoch(value);
    }
}
