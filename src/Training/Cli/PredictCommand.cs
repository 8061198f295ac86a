using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Netflix;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec predict --data DATASET_DIR --model MODEL_DIR --set probe|qualifying --out FILE [--query FILE]</c>:
/// predictions for a Prize query file in the Prize's submission layout (<see cref="PredictionFile"/>), in the query file's
/// order, each pair on its date (qualifying lines carry it; a probe pair's date is its rating's, from the dataset). The
/// query file defaults to the one in the Netflix directory the dataset was ingested from. For the probe the summary
/// includes the RMSE against the probe ratings; for the qualifying set of a generated Prize, the quiz RMSE against the
/// generator's qualifying_answers.txt beside the query file (real Prize files have no answers: the file is all there is).
/// </summary>
internal static class PredictCommand
{
    public const string Probe = "probe";
    public const string Qualifying = "qualifying";

    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory the model was trained on.");
        Option<string> model = CommonOptions.RequiredPath("--model", "Model directory written by 'netflixrec train'.");
        Option<string> set = CommonOptions.RequiredPath("--set", "Query set: probe or qualifying.");
        Option<string> output = CommonOptions.RequiredPath("--out", "Predictions file to write (Prize layout; written atomically).");
        Option<string?> query = new("--query") { Description = "Query file (default: probe.txt or qualifying.txt of the Netflix directory the dataset was ingested from)." };
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("predict", "Write Prize-format predictions (MovieID: blocks, one clipped rating per line) for the probe or qualifying set.")
        {
            data, model, set, output, query, threads, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            JsonObject result = Run(parse.GetRequiredValue(data), parse.GetRequiredValue(model), parse.GetRequiredValue(set), parse.GetRequiredValue(output),
                parse.GetValue(query), parse.GetValue(threads));
            CliRun.Finish(parse.GetValue(json), result, Summary(result));
            return CliRun.Success;
        }));
        return command;
    }

    public static JsonObject Run(string dataDirectory, string modelDirectory, string set, string outPath, string? queryPath, int threads)
    {
        if (set is not (Probe or Qualifying))
        {
            throw new ArgumentException($"--set: '{set}' is not a query set; use {Probe} or {Qualifying}", nameof(set));
        }

        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        (IRatingModel model, ModelManifest manifest) = ModelStore.Load(modelDirectory);
        if (manifest.DataFingerprint != dataset.Manifest.Fingerprint)
        {
            throw new ArgumentException(
                $"--model: {modelDirectory} was trained on data {manifest.DataFingerprint}, but {dataDirectory} is {dataset.Manifest.Fingerprint}", nameof(modelDirectory));
        }

        string path = queryPath ?? DefaultQueryFile(dataset.Manifest, set);
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--query: {path} does not exist", nameof(queryPath));
        }

        CliRun.Progress($"predict: {manifest.Name} on {path}");
        IReadOnlyList<MovieQueries> blocks = set == Probe ? QueryFileParser.ParseProbe(path) : QueryFileParser.ParseQualifying(path);
        (RatingTable pairs, bool rated) = Index(blocks, path, dataset, set == Probe, threads);
        float[] predictions = RatingError.PredictClipped(model, pairs, threads);

        var written = new List<PredictionBlock>(blocks.Count);
        int at = 0;
        foreach (MovieQueries block in blocks)
        {
            written.Add(new PredictionBlock(block.MovieId, new ArraySegment<float>(predictions, at, block.Count)));
            at += block.Count;
        }

        double? quiz = set == Qualifying ? QuizRmse(path, blocks, predictions) : null;
        PredictionFile.Write(outPath, written);
        return new JsonObject
        {
            ["model"] = manifest.Name,
            ["set"] = set,
            ["query"] = Path.GetFullPath(path),
            ["out"] = Path.GetFullPath(outPath),
            ["predictions"] = predictions.Length,
            ["movies"] = blocks.Count,
            ["rmse"] = rated ? Math.Round(RatingError.Rmse(predictions, pairs.Ratings.Span), 6) : null,
            ["quiz_rmse"] = quiz is { } q ? Math.Round(q, 6) : null,
        };
    }

    /// <summary>
    /// RMSE against the generator's qualifying_answers.txt beside the query file (the "quiz RMSE" of a generated set);
    /// null when there is no answers file, as for the real Prize files.
    /// </summary>
    private static double? QuizRmse(string queryPath, IReadOnlyList<MovieQueries> blocks, float[] predictions)
    {
        string answersPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(queryPath)) ?? ".", Data.Synthetic.SyntheticNetflix.QualifyingAnswersFileName);
        if (!File.Exists(answersPath))
        {
            return null;
        }

        var answers = new Dictionary<(int, int), float>();
        foreach (MovieOracle block in QueryFileParser.ParseOracle(answersPath))
        {
            for (int i = 0; i < block.Count; i++)
            {
                answers[(block.MovieId, block.Customers.Span[i])] = block.Expected.Span[i];
            }
        }

        double sum = 0;
        int row = 0;
        foreach (MovieQueries block in blocks)
        {
            for (int i = 0; i < block.Count; i++, row++)
            {
                if (!answers.TryGetValue((block.MovieId, block.Customers.Span[i]), out float stars))
                {
                    throw new InvalidDataException($"{answersPath}: no answer for (movie {block.MovieId}, customer {block.Customers.Span[i]}) of {queryPath}");
                }

                double error = predictions[row] - stars;
                sum += error * error;
            }
        }

        return row == 0 ? null : Math.Sqrt(sum / row);
    }

    /// <summary>probe.txt or qualifying.txt of the Netflix directory recorded in the dataset manifest (<c>netflix:DIR (…)</c>).</summary>
    private static string DefaultQueryFile(DatasetManifest manifest, string set)
    {
        const string prefix = "netflix:";
        int layout = manifest.Source.LastIndexOf(" (", StringComparison.Ordinal);
        if (!manifest.Source.StartsWith(prefix, StringComparison.Ordinal) || layout < 0)
        {
            throw new ArgumentException($"--query: the dataset does not record the Netflix directory it came from ('{manifest.Source}'); pass --query FILE", "queryPath");
        }

        string directory = manifest.Source[prefix.Length..layout];
        return Path.Combine(directory, set == Probe ? "probe.txt" : "qualifying.txt");
    }

    /// <summary>
    /// The query pairs as dense indices, in the file's order, as ingest indexes the qualifying set
    /// (<see cref="DatasetBuilder.IndexQueries"/>), with their days — and, for the probe, each pair's stars and day from
    /// the probe partition; a pair of the probe file that is not in the partition names the file and line.
    /// </summary>
    private static (RatingTable Pairs, bool Rated) Index(IReadOnlyList<MovieQueries> blocks, string path, LocalDataset dataset, bool probe, int threads)
    {
        IdMap users = dataset.LoadUsers(), movies = dataset.LoadMovies();
        QueryTable queries = DatasetBuilder.IndexQueries(path, blocks, users.IndexOf, movies, threads);
        var stars = new byte[queries.Count];
        if (!probe)
        {
            return (new RatingTable(queries.Users, queries.Movies, stars, queries.Days), false);
        }

        RatingTable table = dataset.LoadRatings(DatasetPartition.Probe);
        var probeRatings = new Dictionary<(int, short), (byte Stars, short Day)>(table.Count);
        for (int i = 0; i < table.Count; i++)
        {
            probeRatings[(table.Users.Span[i], table.Movies.Span[i])] = (table.Ratings.Span[i], table.Days.Span[i]);
        }

        var days = new short[queries.Count];
        ReadOnlySpan<int> queryUsers = queries.Users.Span;
        ReadOnlySpan<short> queryMovies = queries.Movies.Span;
        for (int row = 0; row < queries.Count; row++)
        {
            if (!probeRatings.TryGetValue((queryUsers[row], queryMovies[row]), out (byte Stars, short Day) rating))
            {
                (int movieId, int customer) = (movies.IdOf(queryMovies[row]), users.IdOf(queryUsers[row]));
                throw new NetflixFormatException(path, QueryFileParser.FindLine(path, movieId, customer),
                    $"probe pair (movie {movieId}, customer {customer}) is not in the dataset's probe partition");
            }

            (stars[row], days[row]) = rating;
        }

        return (new RatingTable(queries.Users, queries.Movies, stars, days), true);
    }

    private static string Summary(JsonObject result)
    {
        string rmse = result["rmse"] is JsonValue value
            ? string.Create(CultureInfo.InvariantCulture, $"; RMSE against the probe ratings {value.GetValue<double>():F4}")
            : result["quiz_rmse"] is JsonValue quiz
                ? string.Create(CultureInfo.InvariantCulture, $"; quiz RMSE against qualifying_answers.txt {quiz.GetValue<double>():F4}")
                : string.Empty;
        return $"predict: {result["predictions"]} predictions for {result["movies"]} movies ({result["set"]}) → {result["out"]}{rmse}";
    }
}
