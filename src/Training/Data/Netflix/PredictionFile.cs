using System.Globalization;
using System.Text;

namespace NetflixRec.Training.Data.Netflix;

/// <summary>One <c>MovieID:</c> block of a Prize predictions file: the predictions in the query file's order.</summary>
public sealed record PredictionBlock(int MovieId, IReadOnlyList<float> Predictions);

/// <summary>
/// The Prize's submission layout: for each block of the query file, its <c>MovieID:</c> line, then one predicted rating
/// per customer line, in the same order — so the file has exactly as many lines as the query file. Predictions are
/// written clipped to 1–5 with three decimals (the Prize scored RMSE; more digits change nothing).
/// </summary>
public static class PredictionFile
{
    public static void Write(string path, IReadOnlyList<PredictionBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        AtomicFile.Write(path, temp =>
        {
            using var writer = new StreamWriter(temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16) { NewLine = "\n" };
            foreach (PredictionBlock block in blocks)
            {
                writer.Write(block.MovieId.ToString(CultureInfo.InvariantCulture));
                writer.WriteLine(':');
                foreach (float prediction in block.Predictions)
                {
                    writer.WriteLine(Math.Clamp(prediction, 1f, 5f).ToString("0.000", CultureInfo.InvariantCulture));
                }
            }
        });
    }

    /// <summary>Reads a predictions file back; a malformed line is an error naming the file and line.</summary>
    public static IReadOnlyList<PredictionBlock> Read(string path)
    {
        var blocks = new List<PredictionBlock>();
        List<float>? current = null;
        int movieId = 0, lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.EndsWith(':'))
            {
                if (current is not null)
                {
                    blocks.Add(new PredictionBlock(movieId, current));
                }

                if (!int.TryParse(line.AsSpan(0, line.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out movieId) || movieId < 1)
                {
                    throw new NetflixFormatException(path, lineNumber, $"'{line}' is not a MovieID: header");
                }

                current = [];
            }
            else if (current is null)
            {
                throw new NetflixFormatException(path, lineNumber, "a prediction before the first MovieID: header");
            }
            else if (float.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value))
            {
                current.Add(value);
            }
            else
            {
                throw new NetflixFormatException(path, lineNumber, $"'{line}' is not a predicted rating");
            }
        }

        if (current is not null)
        {
            blocks.Add(new PredictionBlock(movieId, current));
        }

        return blocks;
    }
}
