using System.Globalization;
using System.Text;

namespace NetflixRec.Training.Tests.Synthetic;

/// <summary>One rating line of a training file; dates stay text (YYYY-MM-DD compares correctly as a string).</summary>
public readonly record struct TrainingLine(int Movie, int Customer, int Stars, string Date);

/// <summary>
/// The generated files read back with plain string code, independent of the project's parser, so that the generator's
/// tests check the bytes on disk.
/// </summary>
public sealed class PrizeFiles
{
    private PrizeFiles(string directory)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(directory, "training_set")).Order(StringComparer.Ordinal))
        {
            string[] lines = File.ReadAllLines(file, Encoding.ASCII);
            int movie = int.Parse(lines[0].TrimEnd(':'), CultureInfo.InvariantCulture);
            MovieFiles.Add(Path.GetFileName(file));
            foreach (string line in lines.Skip(1))
            {
                string[] fields = line.Split(',');
                Training.Add(new TrainingLine(movie, Int(fields[0]), Int(fields[1]), fields[2]));
            }
        }

        Probe = Blocks(Path.Combine(directory, "probe.txt")).Select(x => (x.Movie, Int(x.Line))).ToList();
        Qualifying = Blocks(Path.Combine(directory, "qualifying.txt")).Select(x => (x.Movie, Int(x.Line.Split(',')[0]), x.Line.Split(',')[1])).ToList();
        Oracle = Blocks(Path.Combine(directory, "probe_oracle.txt"))
            .Select(x => (x.Movie, Int(x.Line.Split(',')[0]), double.Parse(x.Line.Split(',')[1], CultureInfo.InvariantCulture))).ToList();
        TitleBytes = File.ReadAllBytes(Path.Combine(directory, "movie_titles.txt"));
    }

    public List<string> MovieFiles { get; } = [];

    public List<TrainingLine> Training { get; } = [];

    public List<(int Movie, int Customer)> Probe { get; }

    public List<(int Movie, int Customer, string Date)> Qualifying { get; }

    public List<(int Movie, int Customer, double Expected)> Oracle { get; }

    public byte[] TitleBytes { get; }

    public static PrizeFiles Read(string directory) => new(directory);

    private static IEnumerable<(int Movie, string Line)> Blocks(string path)
    {
        int movie = 0;
        foreach (string line in File.ReadLines(path, Encoding.ASCII))
        {
            if (line.EndsWith(':'))
            {
                movie = Int(line[..^1]);
            }
            else
            {
                yield return (movie, line);
            }
        }
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
