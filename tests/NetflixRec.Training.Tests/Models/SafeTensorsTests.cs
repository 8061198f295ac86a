using System.Buffers.Binary;
using System.Text;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Models;

public sealed class SafeTensorsTests
{
    [Theory]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,4]}}""", "tensor 'w': shape is missing")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1]}}""", "tensor 'w': data_offsets is missing")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "has a dimension outside 0..2147483647")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967297],"data_offsets":[0,4]}}""", "has a dimension outside 0..2147483647")]
    [InlineData("""{"w":{"dtype":"F32","shape":[65536,65536,65536,65536],"data_offsets":[0,4]}}""", "needs more than the 4 bytes of data")]
    [InlineData("""{"w":{"dtype":"F32","shape":["1"],"data_offsets":[0,4]}}""", "tensor 'w': shape[0] is not an integer")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "tensor 'w': shape[0] is not an integer")]
    [InlineData("""{"w":{"dtype":"F32","shape":1,"data_offsets":[0,4]}}""", "tensor 'w': shape is missing or not an array")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", "data_offsets must be [begin, end]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}""", "data_offsets [4, 0) do not fit")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", "data_offsets [-4, 0) do not fit")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "needs more than the 4 bytes of data")]
    [InlineData("""{"w":{"shape":[1],"data_offsets":[0,4]}}""", "tensor 'w' has dtype (missing)")]
    [InlineData("""{"w":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}""", "tensor 'w' has dtype (missing)")]
    [InlineData("""{"w":null}""", "tensor 'w' is not an object")]
    [InlineData("""[1,2]""", "the header is not a JSON object")]
    [InlineData("""{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", "malformed safetensors header")]
    [InlineData("""{"w":""", "malformed safetensors header")]
    public void Read_MalformedHeader_InvalidDataNamingFileTensorAndField(string header, string problem)
    {
        using var dir = new TempDirectory();
        string path = WriteRaw(dir.Combine("weights.safetensors"), header, dataBytes: 4);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(path));

        Assert.StartsWith($"{path}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ScalarAndEmptyShapes_AreAccepted()
    {
        using var dir = new TempDirectory();
        string path = WriteRaw(dir.Combine("weights.safetensors"),
            """{"__metadata__":{"k":"v"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}}""", dataBytes: 4);

        IReadOnlyList<NamedTensor> tensors = SafeTensors.Read(path);

        Assert.Equal(["s", "e"], tensors.Select(t => t.Name));
        Assert.Equal(1, tensors[0].Data.Length);
        Assert.Equal([0, 5], tensors[1].Shape);
    }

    [Fact]
    public void RequireScalar_EmptyTensor_NamesFileAndTensor()
    {
        NamedTensor[] tensors = [NamedTensor.Vector("global_mean", Array.Empty<float>())];

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SafeTensors.RequireScalar(tensors, "global_mean", "w.safetensors"));

        Assert.Equal("w.safetensors: tensor 'global_mean' must hold one value, found 0", error.Message);
    }

    private static string WriteRaw(string path, string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
        return path;
    }
}
