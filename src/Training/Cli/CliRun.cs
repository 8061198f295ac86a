using System.Text.Json;
using NetflixRec.Training.Data.Netflix;

namespace NetflixRec.Training.Cli;

/// <summary>
/// Runs one command's body and turns its outcome into the CLI contract: exit 0 on success, 2 on bad input
/// (message names the file and line, the argument or the field), 1 on internal failure. Progress goes to stderr,
/// the one-line summary or the --json object to stdout.
/// </summary>
internal static class CliRun
{
    public const int Success = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;

    /// <summary>
    /// One-line JSON; relaxed escaping keeps labels such as "201+" readable (console output, never HTML). A command's
    /// result record prints its properties in snake_case, in declaration order (<c>SecondsPerEpoch</c> →
    /// <c>seconds_per_epoch</c>): the field names users and bench scripts read. Dictionary and JsonObject keys print as they are.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Indented JSON for files a person may read (trials.json, best.json).</summary>
    public static JsonSerializerOptions IndentedJson { get; } = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (e is NetflixFormatException or InvalidDataException or ArgumentException or FileNotFoundException
            or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            // ArgumentException appends "(Parameter 'x')": our messages already name the argument or field.
            string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
            Console.Error.WriteLine($"netflixrec: error: {message}");
            return BadInput;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"netflixrec: I/O error: {e.Message}");
            return InternalError;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("netflixrec: cancelled");
            return InternalError;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: an internal failure becomes exit code 1, with the trace for a bug report.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"netflixrec: internal error: {e}");
            return InternalError;
        }
    }

    public static void Progress(string message) => Console.Error.WriteLine(message);

    /// <summary>Prints either the --json object or the one-line human summary.</summary>
    public static void Finish<T>(bool json, T result, string summary) =>
        Console.Out.WriteLine(json ? ToJson(result) : summary);

    /// <summary>A command's result as its <c>--json</c> line: the one place a result record becomes JSON.</summary>
    public static string ToJson<T>(T result) => JsonSerializer.Serialize(result, JsonOptions);

    /// <summary>Peak resident memory of this process (VmHWM), or 0 where /proc is not available.</summary>
    public static long PeakResidentBytes() => ProcessMemory.PeakResidentBytes();

    /// <summary>Starts a new peak-memory window (see <see cref="ProcessMemory.ResetPeak"/>).</summary>
    public static void ResetPeakResident() => ProcessMemory.ResetPeak();

    public static string Megabytes(long bytes) => (bytes / 1048576.0).ToString("F1", System.Globalization.CultureInfo.InvariantCulture) + " MB";
}
