using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Identity.Api;

/// <summary>Outside Development the signing and encryption certificates come from configuration (a mounted secret).</summary>
public static class IdentityCertificates
{
    public static void AddFromConfiguration(OpenIddictServerBuilder options, IConfiguration configuration)
    {
        options.AddSigningCertificate(Load(configuration, "Signing"));
        options.AddEncryptionCertificate(Load(configuration, "Encryption"));
    }

    private static X509Certificate2 Load(IConfiguration configuration, string purpose)
    {
        var path = configuration[$"Identity:{purpose}Certificate:Path"]
            ?? throw new InvalidOperationException($"Identity:{purpose}Certificate:Path is required outside Development (a PKCS#12 file).");
        return X509CertificateLoader.LoadPkcs12FromFile(path, configuration[$"Identity:{purpose}Certificate:Password"]);
    }
}
