namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Reads the Netflix Prize files. Training files are parsed in parallel (one task per file, or per
/// <c>combined_data</c> file), the small side files alongside. Any problem is a <see cref="NetflixFormatException"/>
/// naming the file and line.
/// </summary>
public static class NetflixReader
{
    public static NetflixSource ReadDirectory(string directory, int maxDegreeOfParallelism)
    {
        NetflixLayout layout = NetflixLayout.Find(directory);
        var perFile = new IReadOnlyList<MovieRatings>[layout.TrainingFiles.Count];
        IReadOnlyList<MovieTitle> titles = [];
        IReadOnlyList<MovieQueries> probe = [], qualifying = [];
        IReadOnlyList<MovieOracle> oracle = [];

        ParallelWork.Invoke(2,
            () => ParallelWork.For(perFile.Length, maxDegreeOfParallelism, i => perFile[i] = ReadTrainingFile(layout.TrainingFiles[i])),
            () =>
            {
                titles = ReadTitles(layout.TitlesPath);
                probe = layout.HasProbe ? ReadProbe(layout.ProbePath) : [];
                qualifying = layout.HasQualifying ? ReadQualifying(layout.QualifyingPath) : [];
                oracle = layout.HasOracle ? ReadOracle(layout.OraclePath) : [];
            });

        return new NetflixSource(layout, MergeBlocks(layout, perFile), titles, probe, qualifying, oracle);
    }

    public static IReadOnlyList<MovieRatings> ReadTrainingFile(string path) => TrainingFileParser.Parse(path);

    public static IReadOnlyList<MovieTitle> ReadTitles(string path) => TitlesParser.Parse(path);

    public static IReadOnlyList<MovieQueries> ReadProbe(string path) => QueryFileParser.ParseProbe(path);

    public static IReadOnlyList<MovieQueries> ReadQualifying(string path) => QueryFileParser.ParseQualifying(path);

    public static IReadOnlyList<MovieOracle> ReadOracle(string path) => QueryFileParser.ParseOracle(path);

    /// <summary>All blocks ordered by MovieID; a movie with two blocks is an error naming both files.</summary>
    private static List<MovieRatings> MergeBlocks(NetflixLayout layout, IReadOnlyList<MovieRatings>[] perFile)
    {
        var owner = new Dictionary<int, int>();
        var movies = new List<MovieRatings>(perFile.Sum(f => f.Count));
        for (int file = 0; file < perFile.Length; file++)
        {
            foreach (MovieRatings block in perFile[file])
            {
                if (!owner.TryAdd(block.MovieId, file))
                {
                    string first = layout.TrainingFiles[owner[block.MovieId]];
                    throw new NetflixFormatException(layout.TrainingFiles[file], 0,
                        $"movie {block.MovieId} has a second block (the first is in {first}); a rating would be counted twice");
                }

                movies.Add(block);
            }
        }

        movies.Sort((a, b) => a.MovieId.CompareTo(b.MovieId));
        return movies;
    }
}
