namespace NetflixRec.Serving.Tests;

/// <summary>Serving shares only the contract with training: it must not reference the Training assembly.</summary>
public sealed class DependencyTests
{
    [Fact]
    public void ServingAssembly_References_NotTraining()
    {
        string[] references = [.. typeof(ServingApp).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty)];

        Assert.Contains("NetflixRec.Contracts", references);
        Assert.DoesNotContain("NetflixRec.Training", references);
    }
}
