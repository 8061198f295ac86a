using System.Text.Json;
using System.Text.Json.Serialization;

namespace NetflixRec.Training.Data.Store;

/// <summary>The partitions of a dataset directory; the file names are part of the format.</summary>
public enum DatasetPartition
{
    Train,
    Probe,
    Qualifying,
}

/// <summary>One Arrow IPC file of a partition.</summary>
public sealed record PartitionFile(string Path, long Rows, int Batches, long Bytes);

public sealed record PartitionInfo(string Name, long Rows, IReadOnlyList<PartitionFile> Files);

/// <summary>
/// manifest.json of a dataset directory: what it holds, how it was split, and a content fingerprint that changes when any
/// rating, ID or title changes (and not when only the compression or the batch size does).
/// </summary>
public sealed record DatasetManifest(
    int SchemaVersion,
    string Split,
    long Ratings,
    int Users,
    int Movies,
    int Titles,
    long Train,
    long Probe,
    long Qualifying,
    bool HasOracle,
    double GlobalMean,
    string DayEpoch,
    string Compression,
    string Fingerprint,
    string Source,
    IReadOnlyList<PartitionInfo> Partitions)
{
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string PartitionName(DatasetPartition partition) => partition switch
    {
        DatasetPartition.Train => "train",
        DatasetPartition.Probe => "probe",
        DatasetPartition.Qualifying => "qualifying",
        _ => throw new ArgumentOutOfRangeException(nameof(partition), partition, "unknown partition"),
    };

    public PartitionInfo PartitionOf(DatasetPartition partition)
    {
        string name = PartitionName(partition);
        return Partitions.FirstOrDefault(p => p.Name == name)
            ?? throw new InvalidDataException($"{FileName} lists no '{name}' partition");
    }

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public static DatasetManifest FromJson(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<DatasetManifest>(json, s_json)
                ?? throw new InvalidDataException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}:{(e.LineNumber ?? 0) + 1}: not a NetflixRec dataset manifest: {e.Message}", e);
        }
    }
}
