namespace NetflixRec.Training.Data.Netflix;

/// <summary>Everything read from a Netflix Prize directory, exactly as the files say it, before any transform.</summary>
public sealed record NetflixSource(
    NetflixLayout Layout,
    IReadOnlyList<MovieRatings> Movies,
    IReadOnlyList<MovieTitle> Titles,
    IReadOnlyList<MovieQueries> Probe,
    IReadOnlyList<MovieQueries> Qualifying,
    IReadOnlyList<MovieOracle> Oracle)
{
    public long RatingCount => Movies.Sum(m => (long)m.Count);

    public long ProbeCount => Probe.Sum(m => (long)m.Count);

    public long QualifyingCount => Qualifying.Sum(m => (long)m.Count);

    /// <summary>Total size of the files read, for throughput and compression figures.</summary>
    public long BytesRead
    {
        get
        {
            IEnumerable<string> files = Layout.TrainingFiles.Append(Layout.TitlesPath)
                .Concat(new[] { (Layout.HasProbe, Layout.ProbePath), (Layout.HasQualifying, Layout.QualifyingPath), (Layout.HasOracle, Layout.OraclePath) }
                    .Where(f => f.Item1).Select(f => f.Item2));
            return files.Sum(f => new FileInfo(f).Length);
        }
    }
}
