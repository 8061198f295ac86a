using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Data.Synthetic;

/// <summary>
/// The synthetic Netflix Prize: the project's embedded default dataset. <see cref="Build(GeneratorOptions)"/> is a pure
/// function of the options (same seed, same dataset, whatever the thread count); <see cref="Write(SyntheticDataset, string)"/>
/// is the side effect that lays it out as the Prize's files; <see cref="Generate(GeneratorOptions, string)"/> does both.
/// </summary>
public static class SyntheticNetflix
{
    public const string TrainingSetDirectory = "training_set";
    public const string TitlesFileName = "movie_titles.txt";
    public const string ProbeFileName = "probe.txt";
    public const string QualifyingFileName = "qualifying.txt";
    public const string OracleFileName = "probe_oracle.txt";

    /// <summary>
    /// The generator's version, printed by <c>generate</c>: 2 added day moods in rating sessions, movie-age effects (a
    /// release burst, a mean that moves with age) and each user's scaling of the movie bias, so a seed gives other
    /// ratings than version 1 did.
    /// </summary>
    public const int GeneratorVersion = 2;

    /// <summary>The stars of the qualifying pairs (<c>MovieID:</c> blocks of <c>CustomerID,Stars</c>), beside the oracle, never ingested.</summary>
    public const string QualifyingAnswersFileName = "qualifying_answers.txt";

    /// <summary>Generates the dataset in memory.</summary>
    public static SyntheticDataset Build(GeneratorOptions options) => Build(options, NoProgress.Instance, Environment.ProcessorCount);

    /// <summary>Generates the dataset in memory, reporting each stage.</summary>
    public static SyntheticDataset Build(GeneratorOptions options, IProgress<string> progress) =>
        Build(options, progress, Environment.ProcessorCount);

    /// <summary>Writes the dataset into a new or empty directory (see <see cref="Generate(GeneratorOptions, string)"/>).</summary>
    public static GenerationSummary Write(SyntheticDataset dataset, string outDirectory) => Write(dataset, outDirectory, NoProgress.Instance);

    /// <summary>
    /// Writes training_set/mv_*.txt, movie_titles.txt, probe.txt, qualifying.txt, probe_oracle.txt and (when there are
    /// qualifying pairs) qualifying_answers.txt into a temporary
    /// sibling of <paramref name="outDirectory"/> and renames it at the end, so the directory appears complete or not at all.
    /// </summary>
    /// <exception cref="ArgumentException">The directory exists and is not empty, or is a file.</exception>
    public static GenerationSummary Write(SyntheticDataset dataset, string outDirectory, IProgress<string> progress)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(progress);
        OutputDirectory.EnsureAbsentOrEmpty(outDirectory, nameof(outDirectory));
        return OutputDirectory.WriteAtomically(outDirectory, temp =>
        {
            string trainingSet = Path.Combine(temp, TrainingSetDirectory);
            Directory.CreateDirectory(trainingSet);
            progress.Report($"writing {dataset.Training.Count:N0} movie files");
            long[] bytes = new long[dataset.Training.Count];
            int[] order = WorkQueue.LargestFirst(dataset.Training.Select(block => block.Count).ToArray());
            WorkQueue.Run(order, Environment.ProcessorCount, movie => bytes[movie] = NetflixWriter.WriteMovieFile(trainingSet, dataset.Training[movie]));

            progress.Report("writing titles, probe, qualifying and oracle");
            long total = bytes.Sum();
            total += NetflixWriter.WriteTitles(Path.Combine(temp, TitlesFileName), dataset.Titles);
            total += NetflixWriter.WriteProbe(Path.Combine(temp, ProbeFileName), dataset.Probe);
            total += NetflixWriter.WriteQualifying(Path.Combine(temp, QualifyingFileName), dataset.Qualifying);
            total += NetflixWriter.WriteOracle(Path.Combine(temp, OracleFileName), dataset.Oracle);
            if (dataset.QualifyingAnswers.Count > 0)
            {
                total += NetflixWriter.WriteOracle(Path.Combine(temp, QualifyingAnswersFileName), dataset.QualifyingAnswers);
            }

            return new GenerationSummary(Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDirectory)), dataset.TrainingCount,
                dataset.CustomerIds.Count, dataset.Training.Count, dataset.ProbeCount, dataset.QualifyingCount, dataset.Titles.Count, total);
        });
    }

    /// <summary>Builds the dataset for <paramref name="options"/> and writes it into <paramref name="outDirectory"/>.</summary>
    public static GenerationSummary Generate(GeneratorOptions options, string outDirectory) =>
        Generate(options, outDirectory, NoProgress.Instance);

    /// <inheritdoc cref="Generate(GeneratorOptions, string)"/>
    public static GenerationSummary Generate(GeneratorOptions options, string outDirectory, IProgress<string> progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);

        // Fail before minutes of work, not after.
        OutputDirectory.EnsureAbsentOrEmpty(outDirectory, nameof(outDirectory));
        return Write(Build(options, progress), outDirectory, progress);
    }

    /// <summary>The same as the public Build, with the worker count fixed (tests check it does not change the result).</summary>
    internal static SyntheticDataset Build(GeneratorOptions options, IProgress<string> progress, int parallelism)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        options.Validate();

        progress.Report($"creating {options.Users:N0} users and {options.Movies:N0} movies (seed {options.Seed})");
        var population = Population.Create(options);
        var model = LatentModel.Create(options, population);

        progress.Report($"sampling about {options.TargetRatings:N0} ratings");
        int[] counts = RaterSampler.MovieCounts(options, population);
        int[][] raters = RaterSampler.Sample(options, population, model, counts, parallelism);
        int[] order = WorkQueue.LargestFirst(Array.ConvertAll(raters, movie => movie.Length));

        progress.Report("drawing days and stars");
        RatingScale scale = RatingDrawer.PlaceThresholds(options, population, model, raters);
        (short[][] days, byte[][] stars) = RatingDrawer.DrawRatings(options.Seed, population, model, scale, raters, parallelism);

        progress.Report("holding out probe and qualifying");
        HoldOut.Mark(options, population.Users, raters, days, stars, parallelism);
        return DatasetAssembler.Assemble(options, population, model, scale, raters, days, stars, order, parallelism);
    }

    private sealed class NoProgress : IProgress<string>
    {
        public static readonly NoProgress Instance = new();

        public void Report(string value)
        {
        }
    }
}
