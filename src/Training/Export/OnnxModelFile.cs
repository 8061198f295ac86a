using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using NetflixRec.Contracts;
using Onnx;

namespace NetflixRec.Training.Export;

/// <summary>Facts about the model that travel inside model.onnx as metadata, so the file can be matched to its manifest.</summary>
public sealed record OnnxModelFacts(string Model, string Family, int Users, int Movies, string DataFingerprint);

/// <summary>Wraps an exported graph into an ONNX model (IR 8, default-domain opset 17) and writes it.</summary>
public static class OnnxModelFile
{
    public static ModelProto Assemble(ExportedGraph graph, OnnxModelFacts facts)
    {
        var model = new ModelProto
        {
            IrVersion = OnnxContract.IrVersion,
            ProducerName = "netflixrec",
            ProducerVersion = typeof(OnnxModelFile).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "netflixrec",
            ModelVersion = 1,
            DocString = $"NetflixRec {facts.Model}: scores [batch, movies] and pair_scores [pairs]; see OnnxContract.",
            Graph = graph.Graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = OnnxContract.Opset });
        foreach ((string key, string value) in Metadata(graph, facts))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/>; returns its size and SHA-256 (lowercase hex). A graph with more than
    /// <see cref="OnnxExternalData.DefaultThreshold"/> of initializer data keeps its large initializers in
    /// <c>path.data</c> (<see cref="OnnxExternalData"/>; the model object is changed to point there).
    /// </summary>
    public static (long Bytes, string Sha256) Write(ModelProto model, string path) => Write(model, path, OnnxExternalData.DefaultThreshold);

    /// <summary>As <see cref="Write(ModelProto, string)"/>, with the external-data threshold given (tests use a small one).</summary>
    public static (long Bytes, string Sha256) Write(ModelProto model, string path, long externalThreshold)
    {
        ArgumentNullException.ThrowIfNull(model);
        string dataPath = OnnxExternalData.PathFor(path);
        if (OnnxExternalData.InlineBytes(model) > externalThreshold)
        {
            OnnxExternalData.MoveOut(model, dataPath);
        }
        else if (File.Exists(dataPath))
        {
            File.Delete(dataPath);
        }

        using (FileStream stream = File.Create(path))
        {
            using var output = new CodedOutputStream(stream, leaveOpen: true);
            model.WriteTo(output);
        }

        return (new FileInfo(path).Length, Sha256Of(path));
    }

    public static string Sha256Of(string path)
    {
        using FileStream stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static IEnumerable<(string Key, string Value)> Metadata(ExportedGraph graph, OnnxModelFacts facts) =>
    [
        (OnnxContract.MetadataModel, facts.Model),
        (OnnxContract.MetadataFamily, facts.Family),
        (OnnxContract.MetadataUsers, facts.Users.ToString(CultureInfo.InvariantCulture)),
        (OnnxContract.MetadataMovies, facts.Movies.ToString(CultureInfo.InvariantCulture)),
        (OnnxContract.MetadataFingerprint, facts.DataFingerprint),
        (OnnxContract.MetadataUserInput, graph.UserInput),
        (OnnxContract.MetadataScoreKind, graph.ScoreKind),
    ];
}
