using System.CommandLine;
using System.Diagnostics;
using NetflixRec.Contracts;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Transforms;
using NetflixRec.Training.Models;
using NetflixRec.Training.Models.MatrixFactorization;

namespace NetflixRec.Training.Cli;

/// <summary>
/// <c>netflixrec bench-sgd --data DATASET_DIR [--factors 64] [--epochs 5] [--threads N] [--grid-blocks B] [--json]</c>:
/// times biased-mf's SGD epochs over the whole training partition (no validation, no early stopping) and prints
/// million rating-updates per second, the figure to compare with LIBMF.
/// </summary>
internal static class BenchSgdCommand
{
    public static Command Create()
    {
        Option<string> data = CommonOptions.RequiredPath("--data", "Dataset directory written by 'netflixrec ingest'.");
        Option<int> factors = CommonOptions.PositiveInt("--factors", "Latent factors k.", 64);
        Option<int> epochs = CommonOptions.PositiveInt("--epochs", "SGD epochs to time.", 5);
        Option<int> grid = new("--grid-blocks")
        {
            Description = "Blocks per side of the FPSGD grid (default 0: biased-mf's grid_blocks, automatic from the threads).",
            DefaultValueFactory = _ => 0,
            Validators = { r => { if (CommonOptions.Parsed<int>(r) is < 0) { r.AddError("--grid-blocks must not be negative"); } } },
        };
        Option<int> threads = CommonOptions.Threads();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("bench-sgd", "Time biased-mf's parallel SGD on the training partition and print million updates per second.")
        {
            data, factors, epochs, threads, grid, json,
        };
        command.SetAction(parse => CliRun.Guard(() =>
        {
            Run(parse.GetRequiredValue(data), parse.GetValue(factors), parse.GetValue(epochs), parse.GetValue(threads), parse.GetValue(grid), parse.GetValue(json));
            return CliRun.Success;
        }));
        return command;
    }

    public static BenchSgdSummary Run(string dataDirectory, int factors, int epochs, int threads, int gridBlocks, bool json)
    {
        BiasedMfConfig defaults = ModelConfig.Bind<BiasedMfConfig>(ModelConfig.Defaults(BiasedMfSgd.Name), "defaults.json");
        BiasedMfConfig config = defaults with
        {
            Factors = factors,
            MaxEpochs = epochs,
            Threads = threads,
            GridBlocks = gridBlocks > 0 ? gridBlocks : defaults.GridBlocks,
        };
        BiasedMfSgd.Validate(config);

        var clock = Stopwatch.StartNew();
        LocalDataset dataset = LocalDataset.Open(dataDirectory);
        RatingTable train = dataset.LoadRatings(DatasetPartition.Train);
        double loadSeconds = clock.Elapsed.TotalSeconds;
        int users = dataset.Manifest.Users, movies = dataset.Manifest.Movies;
        int side = BiasedMfSgd.GridSide(config.GridBlocks, threads);
        CliRun.Progress($"bench-sgd: {train.Count:N0} ratings ({users:N0} users, {movies:N0} movies) loaded in {loadSeconds:F1} s; k={factors}, {threads} threads, grid {side}×{side}");

        clock.Restart();
        using SgdEngine engine = SgdEngine.Create(train, users, movies, (float)RatingStatistics.MeanOf(train), factors, (float)config.InitStd, side, threads, config.Seed);
        double setupSeconds = clock.Elapsed.TotalSeconds;
        CliRun.Progress($"bench-sgd: packed the grid and initialized the factors in {setupSeconds:F2} s");

        var passes = new List<SgdPass>();
        TimeSpan cpuBefore = CpuTime();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            SgdPass pass = engine.RunEpoch(epoch, BiasedMfSgd.StepOf(config, epoch));
            passes.Add(pass);
            CliRun.Progress($"bench-sgd: epoch {epoch}: {pass.Seconds:F3} s, {pass.Updates / pass.Seconds / 1e6:F1} M updates/s, train RMSE {pass.TrainRmse:F4}");
        }

        // CPU time shows what the epochs cost when other processes share the cores (wall time then overstates it).
        double cpuSeconds = (CpuTime() - cpuBefore).TotalSeconds;
        double seconds = passes.Sum(p => p.Seconds);
        long updates = passes.Sum(p => p.Updates);
        double rate = updates / seconds / 1e6;
        double best = passes.Max(p => p.Updates / p.Seconds) / 1e6;
        double trainRmse = passes[^1].TrainRmse;
        long peakRss = CliRun.PeakResidentBytes();
        var result = new BenchSgdSummary(
            Ratings: train.Count,
            Factors: factors,
            Threads: threads,
            GridBlocks: side,
            Epochs: epochs,
            LoadSeconds: Math.Round(loadSeconds, 3),
            SetupSeconds: Math.Round(setupSeconds, 3),
            SecondsPerEpoch: Math.Round(seconds / epochs, 4),
            EpochSeconds: [.. passes.Select(p => Math.Round(p.Seconds, 4))],
            MUpdatesPerSecond: Math.Round(rate, 2),
            BestEpochMUpdatesPerSecond: Math.Round(best, 2),
            CpuSecondsPerEpoch: Math.Round(cpuSeconds / epochs, 4),
            MUpdatesPerCpuSecond: Math.Round(updates / cpuSeconds / 1e6, 2),
            TrainRmse: Math.Round(trainRmse, 5),
            PeakRssBytes: peakRss);
        CliRun.Finish(json, result,
            $"bench-sgd: {epochs} epochs of k={factors} over {train.Count:N0} ratings on {threads} threads (grid {side}×{side}): " +
            $"{seconds / epochs:F3} s/epoch, {rate:F1} M updates/s (best epoch {best:F1}; {updates / cpuSeconds / 1e6:F1} M per CPU-second), train RMSE {trainRmse:F4}; " +
            $"setup {setupSeconds:F2} s; peak RSS {CliRun.Megabytes(peakRss)}");
        return result;
    }

    private static TimeSpan CpuTime()
    {
        using Process self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
