namespace NetflixRec.Contracts;

/// <summary>The families compared by the study, as written in manifests and results (<c>family</c> field).</summary>
public static class ModelFamily
{
    public const string Baseline = "baseline";
    public const string MatrixFactorization = "mf";
    public const string Autoencoder = "autoencoder";
    public const string Graph = "gnn";
}
