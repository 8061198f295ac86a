using NetflixRec.Contracts;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Evaluation;

/// <summary>
/// Full-catalog top-N ranking of every held-out user (a user with at least one held-out rating). Each user's scores
/// over all movies come from <see cref="IRatingModel.ScoreAll"/>, the movies the user rated in training are set to −∞
/// (never recommended), and <see cref="TopK"/> picks the best max-K by partial selection, ties to the lower movie
/// index. Relevant = the user's held-out movies rated at least <see cref="EvaluationOptions.RelevantRating"/> stars.
/// Users are scored in batches of <see cref="EvaluationOptions.BatchSize"/>, batches run in parallel on
/// <see cref="EvaluationOptions.Threads"/> threads, and the per-batch sums are added in batch order, so the result does
/// not depend on the thread count.
/// </summary>
public static class RankingEvaluation
{
    public static RankingSummary Evaluate(IRatingModel model, EvaluationData data, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int[] cutoffs = [.. options.Cutoffs.Order()];
        int[] users = data.HeldOutByUser.ActiveUsers();
        int batchSize = options.BatchSize;
        int batches = (users.Length + batchSize - 1) / batchSize;
        var totals = new BatchTotals[batches];
        var firstRank = new int[data.Movies];
        Array.Fill(firstRank, int.MaxValue);
        var gate = new object();
        Parallel.For(0, batches, new ParallelOptions { MaxDegreeOfParallelism = options.Threads },
            () => new Worker(model, data, cutoffs, options.RelevantRating, batchSize),
            (b, _, worker) =>
            {
                int start = b * batchSize;
                totals[b] = worker.Run(users.AsSpan(start, Math.Min(batchSize, users.Length - start)));
                return worker;
            },
            worker =>
            {
                lock (gate)
                {
                    worker.MergeFirstRanks(firstRank);
                }
            });

        return Summarize(users.Length, cutoffs, totals, firstRank, data.Popularity);
    }

    private static RankingSummary Summarize(int users, int[] cutoffs, BatchTotals[] totals, int[] firstRank, MoviePopularity popularity)
    {
        var sum = new BatchTotals(cutoffs.Length);
        foreach (BatchTotals batch in totals)
        {
            sum.Add(batch);
        }

        var metrics = new CutoffMetrics[cutoffs.Length];
        for (int c = 0; c < cutoffs.Length; c++)
        {
            int covered = 0;
            foreach (int rank in firstRank)
            {
                covered += rank < cutoffs[c] ? 1 : 0;
            }

            double entries = sum.Entries[c];
            metrics[c] = new CutoffMetrics(
                cutoffs[c],
                sum.Recall[c] / sum.WithRelevant,
                sum.Ndcg[c] / sum.WithRelevant,
                sum.AveragePrecision[c] / sum.WithRelevant,
                firstRank.Length == 0 ? double.NaN : (double)covered / firstRank.Length,
                sum.Percentile[c] / entries,
                sum.Count[c] / entries / popularity.MeanCount);
        }

        return new RankingSummary(users, users - sum.WithRelevant, metrics);
    }

    /// <summary>Sums over the users of one batch, per cutoff.</summary>
    private sealed class BatchTotals(int cutoffs)
    {
        public int WithRelevant { get; set; }

        public double[] Recall { get; } = new double[cutoffs];

        public double[] Ndcg { get; } = new double[cutoffs];

        public double[] AveragePrecision { get; } = new double[cutoffs];

        public double[] Percentile { get; } = new double[cutoffs];

        public double[] Count { get; } = new double[cutoffs];

        public long[] Entries { get; } = new long[cutoffs];

        public void Add(BatchTotals other)
        {
            WithRelevant += other.WithRelevant;
            for (int c = 0; c < Recall.Length; c++)
            {
                Recall[c] += other.Recall[c];
                Ndcg[c] += other.Ndcg[c];
                AveragePrecision[c] += other.AveragePrecision[c];
                Percentile[c] += other.Percentile[c];
                Count[c] += other.Count[c];
                Entries[c] += other.Entries[c];
            }
        }
    }

    /// <summary>One thread's scratch buffers; scores a batch and ranks each of its users.</summary>
    private sealed class Worker
    {
        private readonly IRatingModel _model;
        private readonly EvaluationData _data;
        private readonly int[] _cutoffs;
        private readonly int _relevantRating;
        private readonly float[] _scores;
        private readonly int[] _top;
        private readonly float[] _topScores;
        private readonly bool[] _hits;

        // The best (lowest) rank at which each movie appeared in this worker's lists: coverage@K counts rank < K.
        private readonly int[] _firstRank;

        public Worker(IRatingModel model, EvaluationData data, int[] cutoffs, int relevantRating, int batchSize)
        {
            _model = model;
            _data = data;
            _cutoffs = cutoffs;
            _relevantRating = relevantRating;
            _scores = new float[(long)batchSize * data.Movies];
            int maxK = cutoffs[^1];
            _top = new int[maxK];
            _topScores = new float[maxK];
            _hits = new bool[maxK];
            _firstRank = new int[data.Movies];
            Array.Fill(_firstRank, int.MaxValue);
        }

        public BatchTotals Run(ReadOnlySpan<int> users)
        {
            int movies = _data.Movies;
            Span<float> scores = _scores.AsSpan(0, users.Length * movies);
            _model.ScoreAll(users, scores);
            var totals = new BatchTotals(_cutoffs.Length);
            ReadOnlySpan<double> percentiles = _data.Popularity.Percentiles.Span;
            ReadOnlySpan<int> counts = _data.Popularity.Counts.Span;
            for (int i = 0; i < users.Length; i++)
            {
                int user = users[i];
                Span<float> row = scores.Slice(i * movies, movies);
                TopK.Exclude(row, _data.Train.ItemsOf(user).Span);
                int listed = TopK.SelectInto(row, _top, _topScores);
                ReadOnlySpan<short> heldOut = _data.HeldOutByUser.ItemsOf(user).Span;
                ReadOnlySpan<byte> stars = _data.HeldOutByUser.RatingsOf(user).Span;
                for (int j = 0; j < listed; j++)
                {
                    int movie = _top[j];
                    _hits[j] = IsRelevant(heldOut, stars, movie);
                    _firstRank[movie] = Math.Min(_firstRank[movie], j);
                }

                int relevant = CountRelevant(user, heldOut, stars);
                totals.WithRelevant += relevant > 0 ? 1 : 0;
                ReadOnlySpan<bool> hits = _hits.AsSpan(0, listed);
                for (int c = 0; c < _cutoffs.Length; c++)
                {
                    int k = _cutoffs[c];
                    if (relevant > 0)
                    {
                        totals.Recall[c] += RankingMetrics.Recall(hits, relevant, k);
                        totals.Ndcg[c] += RankingMetrics.Ndcg(hits, relevant, k);
                        totals.AveragePrecision[c] += RankingMetrics.AveragePrecision(hits, relevant, k);
                    }

                    int n = Math.Min(k, listed);
                    for (int j = 0; j < n; j++)
                    {
                        totals.Percentile[c] += percentiles[_top[j]];
                        totals.Count[c] += counts[_top[j]];
                    }

                    totals.Entries[c] += n;
                }
            }

            return totals;
        }

        public void MergeFirstRanks(int[] firstRank)
        {
            for (int m = 0; m < firstRank.Length; m++)
            {
                firstRank[m] = Math.Min(firstRank[m], _firstRank[m]);
            }
        }

        // A movie is relevant when some held-out rating of it reaches the threshold (rows are sorted; duplicates adjoin).
        private bool IsRelevant(ReadOnlySpan<short> heldOut, ReadOnlySpan<byte> stars, int movie)
        {
            int at = heldOut.BinarySearch((short)movie);
            if (at < 0)
            {
                return false;
            }

            while (at > 0 && heldOut[at - 1] == movie)
            {
                at--;
            }

            for (; at < heldOut.Length && heldOut[at] == movie; at++)
            {
                if (stars[at] >= _relevantRating)
                {
                    return true;
                }
            }

            return false;
        }

        // Distinct relevant held-out movies the user could be recommended (a movie also rated in training never can).
        private int CountRelevant(int user, ReadOnlySpan<short> heldOut, ReadOnlySpan<byte> stars)
        {
            int relevant = 0;
            for (int j = 0; j < heldOut.Length; j++)
            {
                bool counted = j > 0 && heldOut[j - 1] == heldOut[j];
                if (!counted && IsRelevant(heldOut, stars, heldOut[j]) && !_data.Train.Contains(user, heldOut[j]))
                {
                    relevant++;
                }
            }

            return relevant;
        }
    }
}
