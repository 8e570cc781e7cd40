using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReviewFlow.Testing;

/// <summary>
/// The fakes of Microsoft's services (Graph, the Bot Connector) are HTTPS endpoints on 127.0.0.1, as the real ones are
/// HTTPS only: a self-signed certificate made at start, an in-process Kestrel app on a free port, and a client handler
/// that trusts exactly that certificate.
/// </summary>
public static class LoopbackHttps
{
    /// <summary>Starts <paramref name="handle"/> over HTTPS with <paramref name="certificate"/>: the app and its base address.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress)> StartAsync(X509Certificate2 certificate, Func<HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(ctx => handle(ctx));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        return (app, new Uri($"https://127.0.0.1:{port}/"));
    }

    /// <summary>A handler that trusts exactly <paramref name="certificate"/> (and nothing else).</summary>
    public static HttpMessageHandler TrustingOnly(X509Certificate2 certificate)
    {
        var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                    cert is not null && string.Equals(cert.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.OrdinalIgnoreCase),
            },
        };
    }

    public static X509Certificate2 CreateCertificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
