namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec ingest</c> did: the stored counts, the bytes read and written, the time of each stage (seconds,
/// rounded to ms) and the dataset's fingerprint. Printed by <c>--json</c> in this order (<see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record IngestSummary(
    long Ratings,
    int Users,
    int Movies,
    int Titles,
    long Probe,
    long Qualifying,
    long BytesIn,
    long BytesOut,
    double Seconds,
    double ParseSeconds,
    double TransformSeconds,
    double WriteSeconds,
    double RatingsPerSecond,
    long PeakRssBytes,
    string Fingerprint);
