using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using NetflixRec.Training.Cli;
using NetflixRec.Training.Data.Store;
using NetflixRec.Training.Data.Synthetic;

namespace NetflixRec.Training.Tests.Store;

/// <summary>
/// The dataset's .arrow files read by an independent implementation: Apache Arrow JS 21 (tests/interop/read-dataset.mjs,
/// ZSTD through fzstd) must see every file with the row and batch counts of the dataset manifest, and the same
/// column types, null counts, checksums and leading values as the C# reader.
/// </summary>
public sealed class ArrowInteropTests
{
    private const int Head = 5;

    [NodeInteropFact]
    public async Task ArrowJs_EveryDatasetFile_ReadsAsManifestAndCSharpReaderSay()
    {
        using var dir = new TempDirectory();
        string netflix = dir.Combine("netflix"), dataset = dir.Combine("dataset");
        SyntheticNetflix.Generate(GeneratorOptions.ForScale(GeneratorScale.Tiny, 3), netflix);
        Assert.Equal(CliRun.Success, CliApp.Run(["ingest", "--netflix", netflix, "--out", dataset]));
        DatasetManifest manifest = LocalDataset.Open(dataset).Manifest;

        (int code, string output, string errors) = await RunNodeAsync(Path.Combine(NodeInteropFactAttribute.InteropFolder, "read-dataset.mjs"), dataset, Head.ToString(CultureInfo.InvariantCulture));

        Assert.True(code == 0, $"node read-dataset.mjs exited {code}: {errors}");
        using JsonDocument js = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement files = js.RootElement.GetProperty("files");
        string[] arrowFiles = [.. Directory.EnumerateFiles(dataset, "*.arrow", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dataset, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];
        Assert.Equal(arrowFiles, files.EnumerateObject().Select(f => f.Name).Order(StringComparer.Ordinal));

        // Against the manifest: every partition file's rows and batches, and the ID maps' and titles' sizes.
        foreach (PartitionInfo partition in manifest.Partitions)
        {
            foreach (PartitionFile file in partition.Files)
            {
                JsonElement read = files.GetProperty(file.Path);
                Assert.Equal(file.Rows, read.GetProperty("rows").GetInt64());
                Assert.Equal(file.Batches, read.GetProperty("batches").GetInt32());
            }
        }

        Assert.Equal(manifest.Users, files.GetProperty("users.arrow").GetProperty("rows").GetInt64());
        Assert.Equal(manifest.Movies, files.GetProperty("movies.arrow").GetProperty("rows").GetInt64());
        Assert.Equal(manifest.Titles, files.GetProperty("titles.arrow").GetProperty("rows").GetInt64());
        Assert.Equal(manifest.Train, files.GetProperty("train/part-00000.arrow").GetProperty("rows").GetInt64());

        // Against the C# reader: every column of every file.
        foreach (string path in arrowFiles)
        {
            FileSummary mine = Summarize(Path.Combine(dataset, path));
            JsonElement theirs = files.GetProperty(path);
            Assert.Equal(mine.Rows, theirs.GetProperty("rows").GetInt64());
            Assert.Equal(mine.Batches, theirs.GetProperty("batches").GetInt32());
            JsonElement columns = theirs.GetProperty("columns");
            Assert.Equal(mine.Columns.Keys.Order(StringComparer.Ordinal), columns.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
            foreach ((string name, ColumnSummary column) in mine.Columns)
            {
                JsonElement other = columns.GetProperty(name);
                string where = $"{path} column {name}";
                Assert.True(column.Type == other.GetProperty("type").GetString(), $"{where}: type {column.Type} vs {other.GetProperty("type")}");
                Assert.True(column.Nulls == other.GetProperty("nulls").GetInt64(), $"{where}: nulls");
                double checksum = other.GetProperty("checksum").GetDouble();
                Assert.True(Math.Abs(column.Checksum - checksum) <= 1e-9 * Math.Max(1, Math.Abs(checksum)), $"{where}: checksum {column.Checksum} vs {checksum}");
                Assert.Equal(column.Head, other.GetProperty("head").EnumerateArray().Select(v => v.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => v.GetString(),
                    _ => (object?)v.GetDouble(),
                }));
            }
        }

        // And a sample through the dataset API itself.
        Assert.Equal(LocalDataset.Open(dataset).LoadUsers().Ids.ToArray().Take(Head).Select(id => (object?)(double)id),
            files.GetProperty("users.arrow").GetProperty("columns").GetProperty("customer_id").GetProperty("head").EnumerateArray().Select(v => (object?)v.GetDouble()));
    }

    private sealed record ColumnSummary(string Type, long Nulls, double Checksum, IReadOnlyList<object?> Head);

    private sealed record FileSummary(long Rows, int Batches, IReadOnlyDictionary<string, ColumnSummary> Columns);

    // The same summary as read-dataset.mjs, from the C# Arrow reader: Arrow JS type names, sums in row order.
    private static FileSummary Summarize(string path)
    {
        using var reader = new ArrowFileReader(File.OpenRead(path), ZstdCodecs.Instance);
        var columns = new Dictionary<string, (string Type, long Nulls, double Sum, List<object?> Head)>(StringComparer.Ordinal);
        long rows = 0;
        int batches = 0;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            using (batch)
            {
                batches++;
                for (int c = 0; c < batch.Schema.FieldsList.Count; c++)
                {
                    string name = batch.Schema.FieldsList[c].Name;
                    IArrowArray array = batch.Column(c);
                    (string type, long nulls, double sum, List<object?> head) = columns.TryGetValue(name, out var seen) ? seen : (TypeName(array), 0L, 0.0, []);
                    for (int i = 0; i < array.Length; i++)
                    {
                        object? value = ValueAt(array, i);
                        nulls += value is null ? 1 : 0;
                        sum += value switch { string s => s.Length, double d => d, _ => 0 };
                        if (rows + i < Head)
                        {
                            head.Add(value);
                        }
                    }

                    columns[name] = (type, nulls, sum, head);
                }

                rows += batch.Length;
            }
        }

        return new FileSummary(rows, batches, columns.ToDictionary(c => c.Key, c => new ColumnSummary(c.Value.Type, c.Value.Nulls, c.Value.Sum, c.Value.Head), StringComparer.Ordinal));
    }

    private static string TypeName(IArrowArray array) => array switch
    {
        Int32Array => "Int32",
        Int16Array => "Int16",
        UInt8Array => "Uint8",
        FloatArray => "Float32",
        StringArray => "Utf8",
        _ => array.Data.DataType.Name,
    };

    private static object? ValueAt(IArrowArray array, int i) => array switch
    {
        Int32Array a => a.GetValue(i) is int v ? (double)v : null,
        Int16Array a => a.GetValue(i) is short v ? (double)v : null,
        UInt8Array a => a.GetValue(i) is byte v ? (double)v : null,
        FloatArray a => a.GetValue(i) is float v ? (double)v : null,
        StringArray a => a.GetString(i),
        _ => throw new InvalidOperationException($"unexpected column type {array.Data.DataType.Name}"),
    };

    private static async Task<(int Code, string Output, string Errors)> RunNodeAsync(params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("cannot start node");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
