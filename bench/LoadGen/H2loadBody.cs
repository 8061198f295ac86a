using System.Buffers.Binary;
using Google.Protobuf;
using NetflixRec.Contracts.V1;
using NetflixRec.Serving;

namespace NetflixRec.Bench.LoadGen;

/// <summary>
/// The request body h2load sends for raw-frame gRPC load: one gRPC length-prefixed message (byte 0 = not compressed,
/// 4-byte big-endian length, the serialized RecommendRequest) for a known customer picked with the seed.
/// </summary>
internal static class H2loadBody
{
    public static void Write(string path, ModelArtifacts artifacts, LoadOptions options)
    {
        var random = new Random(options.Seed);
        var request = new RecommendRequest { CustomerId = artifacts.CustomerIds[random.Next(artifacts.UserCount)], K = options.K, Model = options.Model };
        byte[] message = request.ToByteArray();
        byte[] frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1, 4), message.Length);
        message.CopyTo(frame, 5);
        File.WriteAllBytes(path, frame);
        Console.WriteLine($"h2load body: {path} ({frame.Length} bytes): Recommend customer {request.CustomerId}, k {request.K}, model '{request.Model}'");
    }
}
