namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Where the Prize files are in a directory. Training data comes either as <c>training_set/mv_*.txt</c> (one file per
/// movie, also accepted directly in the directory) or as the Kaggle repack <c>combined_data_*.txt</c>. The probe,
/// qualifying and oracle files are optional: their paths are where they would be, and the <c>Has…</c> flags say whether
/// they are there.
/// </summary>
public sealed record NetflixLayout(
    string Directory,
    IReadOnlyList<string> TrainingFiles,
    bool IsCombined,
    string TitlesPath,
    string ProbePath,
    bool HasProbe,
    string QualifyingPath,
    bool HasQualifying,
    string OraclePath,
    bool HasOracle)
{
    public const string OracleFileName = "probe_oracle.txt";

    /// <summary>Finds the Prize files under <paramref name="directory"/>; a missing piece is a <see cref="NetflixFormatException"/>.</summary>
    public static NetflixLayout Find(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new NetflixFormatException(directory, 0, "directory does not exist");
        }

        try
        {
            string trainingSet = Path.Combine(directory, "training_set");
            string[] movieFiles = System.IO.Directory.Exists(trainingSet)
                ? System.IO.Directory.GetFiles(trainingSet, "mv_*.txt")
                : System.IO.Directory.GetFiles(directory, "mv_*.txt");
            string[] combined = System.IO.Directory.GetFiles(directory, "combined_data_*.txt");
            if (movieFiles.Length > 0 && combined.Length > 0)
            {
                throw new NetflixFormatException(directory, 0,
                    "holds both training_set/mv_*.txt and combined_data_*.txt; keep one layout so no rating is read twice");
            }

            string[] training = movieFiles.Length > 0 ? movieFiles : combined;
            if (training.Length == 0)
            {
                throw new NetflixFormatException(directory, 0, "no training data: expected training_set/mv_*.txt or combined_data_*.txt");
            }

            Array.Sort(training, StringComparer.Ordinal);
            string titles = FirstExisting(directory, "movie_titles.txt", "movie_titles.csv")
                ?? throw new NetflixFormatException(directory, 0, "movie_titles.txt (or movie_titles.csv) is missing");
            string probe = Path.Combine(directory, "probe.txt");
            string qualifying = Path.Combine(directory, "qualifying.txt");
            string oracle = Path.Combine(directory, OracleFileName);
            return new NetflixLayout(directory, training, combined.Length > 0, titles,
                probe, File.Exists(probe), qualifying, File.Exists(qualifying), oracle, File.Exists(oracle));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NetflixFormatException(directory, 0, $"cannot list the directory: {e.Message}");
        }
    }

    private static string? FirstExisting(string directory, params string[] names) =>
        names.Select(name => Path.Combine(directory, name)).FirstOrDefault(File.Exists);
}
