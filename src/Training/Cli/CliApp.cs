using System.CommandLine;
using System.Runtime.InteropServices;

namespace NetflixRec.Training.Cli;

/// <summary>The <c>netflixrec</c> command line: parses arguments (errors → exit 2) and dispatches to one command.</summary>
internal static class CliApp
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("NetflixRec: train, compare and serve recommender models on Netflix Prize data.")
        {
            GenerateCommand.Create(),
            IngestCommand.Create(),
            DemoCommand.Create(),
            TrainCommand.Create(),
            TuneCommand.Create(),
            EvaluateCommand.Create(),
            CompareCommand.Create(),
            ExportCommand.Create(),
            PredictCommand.Create(),
            BenchOnnxCommand.Create(),
            ServeDataCommand.Create(),
            BenchSgdCommand.Create(),
            BenchAeCommand.Create(),
            BenchGnnCommand.Create(),
            BenchRooflineCommand.Create(),
        };

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                Console.Error.WriteLine($"netflixrec: error: {error.Message}");
            }

            Console.Error.WriteLine("Run 'netflixrec --help' for usage.");
            return CliRun.BadInput;
        }

        // An interrupted command must not leave a half-written output behind: delete the temporary directories of
        // writes under way, then let the signal terminate the process as usual.
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => Data.OutputDirectory.DeleteUnfinished());
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => Data.OutputDirectory.DeleteUnfinished());
        return parse.Invoke();
    }
}
