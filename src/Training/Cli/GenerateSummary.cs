namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>netflixrec generate</c> wrote: the scale, seed and generator version (data of the same seed differ between
/// versions), the counts of each file, the bytes and the time. Printed by <c>--json</c> in this order (<see cref="CliRun.ToJson"/>).
/// </summary>
internal sealed record GenerateSummary(
    string Scale,
    int Seed,
    int GeneratorVersion,
    long Ratings,
    int Users,
    int Movies,
    int Titles,
    long Probe,
    long Qualifying,
    long Bytes,
    double Seconds,
    long PeakRssBytes);
