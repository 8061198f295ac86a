// The NetflixRec gRPC serving process:
//   dotnet run --project src/Serving -c Release -- --models MODELS_DIR --urls http://127.0.0.1:5080
// Exit code 2 on bad options (the message names the option), 1 when the server fails to start or run.
using NetflixRec.Serving;

WebApplication app;
try
{
    app = ServingApp.Build(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"netflixrec-serve: {e.Message}");
    return 2;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine($"netflixrec-serve: {e.Message}");
    return 2;
}

try
{
    await app.RunAsync().ConfigureAwait(false);
    return 0;
}
catch (IOException e)
{
    // Typically the port is taken.
    Console.Error.WriteLine($"netflixrec-serve: cannot serve: {e.Message}");
    return 1;
}
