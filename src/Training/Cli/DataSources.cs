using NetflixRec.Training.Data.Flight;
using NetflixRec.Training.Data.Store;

namespace NetflixRec.Training.Cli;

/// <summary>
/// What <c>--data</c> names: a dataset directory, or the <c>http://HOST:PORT</c> address of a <c>netflixrec serve-data</c>
/// Arrow Flight endpoint, so training and evaluation can read a dataset served from elsewhere.
/// </summary>
internal static class DataSources
{
    public static IRatingBatchSource Open(string data)
    {
        if (Uri.TryCreate(data, UriKind.Absolute, out Uri? address) && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps))
        {
            try
            {
                return FlightDataset.ConnectAsync(address).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is Grpc.Core.RpcException or OperationCanceledException or HttpRequestException or IOException)
            {
                // A refused connection surfaces as a cancelled call on this channel; either way, the address is the problem.
                string detail = e is Grpc.Core.RpcException rpc ? rpc.Status.Detail : "nothing answered";
                throw new ArgumentException($"--data: no Arrow Flight dataset answers at {address} ({detail})", nameof(data), e);
            }
        }

        return LocalDataset.Open(data);
    }
}
