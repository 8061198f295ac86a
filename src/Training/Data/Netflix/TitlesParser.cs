using System.Text;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>
/// Parses movie_titles.txt/.csv: <c>MovieID,YearOfRelease,Title</c> in ISO-8859-1, CRLF or LF. Titles contain commas,
/// so only the first two commas split; the year may be <c>NULL</c>.
/// </summary>
internal static class TitlesParser
{
    private const int MinYear = 1850;
    private const int MaxYear = 2100;

    public static IReadOnlyList<MovieTitle> Parse(string path)
    {
        using var reader = new LineReader(path);
        var titles = new List<MovieTitle>(capacity: 17_770);
        var seen = new HashSet<int>();
        while (reader.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            int first = line.IndexOf((byte)',');
            int second = first < 0 ? -1 : line[(first + 1)..].IndexOf((byte)',');
            if (first < 0 || second < 0)
            {
                throw new NetflixFormatException(path, reader.LineNumber, $"expected 'MovieID,YearOfRelease,Title' but found '{NetflixFields.Show(line)}'");
            }

            second += first + 1;
            string? problem = NetflixFields.ParsePositive(line[..first], NetflixFields.MaxMovieId, "MovieID", out int movieId);
            if (problem is not null)
            {
                throw new NetflixFormatException(path, reader.LineNumber, problem);
            }

            if (!seen.Add(movieId))
            {
                throw new NetflixFormatException(path, reader.LineNumber, $"MovieID {movieId} appears twice");
            }

            ReadOnlySpan<byte> yearText = line[(first + 1)..second];
            int? year = null;
            if (!yearText.SequenceEqual("NULL"u8))
            {
                if (NetflixFields.ParsePositive(yearText, MaxYear, "YearOfRelease", out int parsed) is not null || parsed < MinYear)
                {
                    throw new NetflixFormatException(path, reader.LineNumber,
                        $"YearOfRelease '{NetflixFields.Show(yearText)}' is neither a year in {MinYear}–{MaxYear} nor NULL");
                }

                year = parsed;
            }

            titles.Add(new MovieTitle(movieId, year, Encoding.Latin1.GetString(line[(second + 1)..])));
        }

        return titles;
    }
}
