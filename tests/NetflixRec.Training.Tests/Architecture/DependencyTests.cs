using System.Reflection;
using NetflixRec.Training.Models;

namespace NetflixRec.Training.Tests.Architecture;

/// <summary>
/// The layering of the Training assembly, checked over every type's declarations and IL: models know nothing of
/// evaluation, the CLI, reporting or tuning; the data layer knows nothing of models; no model family uses another
/// (what they share lives in Models, Models.Scoring or Models.Torch).
/// </summary>
public sealed class DependencyTests
{
    private const string Root = "NetflixRec.Training";

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlySet<string>>> s_training =
        new(() => TypeReferences.ByNamespace(typeof(IRatingModel).Assembly));

    public static TheoryData<string, string> Forbidden => new()
    {
        { "Models", "Evaluation" },
        { "Models", "Cli" },
        { "Models", "Reporting" },
        { "Models", "Tuning" },
        { "Models", "Export" },
        { "Data", "Models" },
        { "Data", "Evaluation" },
        { "Data", "Cli" },
        { "Models.Autoencoders", "Models.MatrixFactorization" },
        { "Models.Graph", "Models.MatrixFactorization" },
        { "Models.Autoencoders", "Models.Graph" },
        { "Models.Graph", "Models.Autoencoders" },
        { "Models.MatrixFactorization", "Models.Autoencoders" },
        { "Models.MatrixFactorization", "Models.Graph" },
        { "Models.Scoring", "Models.MatrixFactorization" },
        { "Models.Torch", "Models.Autoencoders" },
        { "Models.Torch", "Models.Graph" },
        { "Models.Torch", "Models.MatrixFactorization" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Namespace_ForbiddenDependency_IsNotReferenced(string from, string to)
    {
        string[] offenders = Offenders(s_training.Value, $"{Root}.{from}", $"{Root}.{to}");

        Assert.True(offenders.Length == 0, $"{Root}.{from} must not use {Root}.{to}: {string.Join("; ", offenders)}");
    }

    [Fact]
    public void ByNamespace_KnownReferences_AreSeenInSignaturesAndMethodBodies()
    {
        // Proof the scan sees what the rules forbid: a signature reference (Evaluation takes IRatingModel) and a
        // reference only inside a lambda's body (the epoch loop's default validation calls RatingError).
        Assert.Contains($"{Root}.Models", s_training.Value[$"{Root}.Evaluation"]);
        IEnumerable<Type> usedByEpochLoop = typeof(EpochLoop).GetNestedTypes(BindingFlags.NonPublic).Prepend(typeof(EpochLoop))
            .SelectMany(TypeReferences.Of);
        Assert.Contains(typeof(RatingError), usedByEpochLoop);
    }

    /// <summary>Namespaces at or under <paramref name="from"/> that reference one at or under <paramref name="to"/>.</summary>
    internal static string[] Offenders(IReadOnlyDictionary<string, IReadOnlySet<string>> edges, string from, string to) =>
        [.. edges.Where(e => Within(e.Key, from) && !Within(e.Key, to))
            .SelectMany(e => e.Value.Where(used => Within(used, to)).Select(used => $"{e.Key} → {used}"))
            .Order(StringComparer.Ordinal)];

    private static bool Within(string name, string prefix) =>
        name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);
}
