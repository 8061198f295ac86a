namespace NetflixRec.Training.Tests.Store;

/// <summary>
/// A fact that needs tests/interop/node_modules (Apache Arrow JS, installed by <c>npm ci --prefix tests/interop</c>,
/// which .ci/run does). Only when that folder is absent is the test skipped, with the command that installs it;
/// once it is there the test runs and a missing node fails it.
/// </summary>
public sealed class NodeInteropFactAttribute : FactAttribute
{
    public NodeInteropFactAttribute()
    {
        if (!Directory.Exists(Path.Combine(InteropFolder, "node_modules")))
        {
            Skip = $"{Path.Combine(InteropFolder, "node_modules")} is absent: run 'npm ci --prefix tests/interop' to read the dataset with Apache Arrow JS";
        }
    }

    /// <summary>tests/interop of the repository these tests were built from.</summary>
    public static string InteropFolder
    {
        get
        {
            string? directory = AppContext.BaseDirectory;
            while (directory is not null && !File.Exists(Path.Combine(directory, "NetflixRec.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return Path.Combine(directory ?? AppContext.BaseDirectory, "tests", "interop");
        }
    }
}
