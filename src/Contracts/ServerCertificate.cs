using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NetflixRec.Contracts;

/// <summary>The TLS certificate of both servers (the recommender and the Flight data endpoint), from the same options.</summary>
public static class ServerCertificate
{
    /// <summary>
    /// The certificate to serve, or null without <paramref name="certificatePath"/>: a .pfx/.p12 (with
    /// <paramref name="password"/>), or a PEM certificate with its PEM key <paramref name="keyPath"/> (encrypted when a
    /// password is given). An unloadable one is an <see cref="ArgumentException"/> naming the option and the file.
    /// </summary>
    public static X509Certificate2? Load(string? certificatePath, string? keyPath, string? password)
    {
        if (certificatePath is not { } path)
        {
            return null;
        }

        try
        {
            string extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            if (keyPath is null)
            {
                throw new ArgumentException($"--tls-key: required with the PEM certificate {path}");
            }

            // Kestrel on Linux wants an exportable key, which PEM loading alone does not give: round-trip through PKCS#12.
            using X509Certificate2 pem = password is null
                ? X509Certificate2.CreateFromPemFile(path, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--tls-cert: cannot load {path} ({e.Message})", e);
        }
    }
}
