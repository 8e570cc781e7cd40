using Microsoft.AspNetCore.Http;

namespace ReviewFlow.Web.SignIn;

/// <summary>
/// Development sign-in (anonymous tokens for any seeded user, Admin and Auditor included) needs two switches: the
/// Development environment and DevSignIn:Enabled=true, so that one stray variable cannot open it. Even then the host
/// refuses to start when an Entra authority is configured (a real deployment) or when it listens beyond loopback.
/// </summary>
public static class DevelopmentSignIn
{
    public const string Switch = "DevSignIn:Enabled";

    /// <summary>Whether this host signs in with the development issuer; throws for a forbidden combination.</summary>
    public static bool IsEnabled(IHostEnvironment environment, IConfiguration configuration)
    {
        // Exactly "true": an empty or mistyped value leaves it off rather than failing or guessing.
        if (!environment.IsDevelopment() || !string.Equals(configuration[Switch], "true", StringComparison.OrdinalIgnoreCase)) return false;
        if (!string.IsNullOrWhiteSpace(configuration["Auth:Authority"]))
            throw new InvalidOperationException(
                $"{Switch}=true with Auth:Authority set: development sign-in and Entra ID exclude each other; remove one.");
        var exposed = ListenUrls(configuration).Where(url => !IsLoopback(url)).ToList();
        if (exposed.Count > 0)
            throw new InvalidOperationException(
                $"{Switch}=true on a host listening beyond loopback ({string.Join(", ", exposed)}): development sign-in mints " +
                "Admin tokens for anyone who can reach it; listen on 127.0.0.1 or localhost only.");
        return true;
    }

    /// <summary>
    /// What Kestrel will bind, as configured: urls (ASPNETCORE_URLS, --urls), http_ports/https_ports (all interfaces)
    /// and Kestrel:Endpoints. Nothing configured means Kestrel's default, localhost:5000; a TestServer binds nothing.
    /// </summary>
    static IEnumerable<string> ListenUrls(IConfiguration configuration)
    {
        foreach (var url in (configuration["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            yield return url;
        foreach (var key in new[] { "http_ports", "https_ports" })
            foreach (var port in (configuration[key] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                yield return $"http://*:{port}";
        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
            if (endpoint["Url"] is { Length: > 0 } url) yield return url;
    }

    static bool IsLoopback(string url)
    {
        BindingAddress address;
        try { address = BindingAddress.Parse(url); }
        catch (FormatException) { return false; }
        if (address.IsUnixPipe || address.IsNamedPipe) return true; // a local socket file or pipe: not on the network
        var host = address.Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
               || (System.Net.IPAddress.TryParse(host, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}
