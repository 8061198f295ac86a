// The gRPC serving shell. For now it hosts the contract's health of the process only; the Recommender service
// over ONNX Runtime arrives with the serving issue.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddGrpc();
WebApplication app = builder.Build();
app.MapGet("/", () => "NetflixRec serving: gRPC endpoint (HTTP/2).");
app.Run();
