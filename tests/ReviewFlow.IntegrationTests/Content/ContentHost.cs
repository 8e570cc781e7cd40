using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ReviewFlow.Testing.Processes;

namespace ReviewFlow.IntegrationTests.Content;

/// <summary>
/// A document store the content proxy fetches from, on Kestrel at 127.0.0.1 (allowed in <see cref="ContentSystem"/>) and
/// reachable as localhost too (not allowed): a PDF behind a credential, redirects, an oversized body with and without a
/// length, a type the viewer does not show, and a host that never answers.
/// </summary>
public sealed class ContentHost : IAsyncDisposable
{
    public const string Credential = "Bearer content-secret";
    public static readonly byte[] Pdf = "%PDF-1.4\n% a stand-in; the proxy does not parse it\n%%EOF\n"u8.ToArray();
    const int Huge = 2 * 1024 * 1024;

    readonly WebApplication _app;
    int _slowStarted, _slowAborted;

    public int Port { get; } = HostProcess.FreePort();
    public string Allowed => $"http://127.0.0.1:{Port}";
    public string NotAllowed => $"http://localhost:{Port}";
    public int SlowStarted => _slowStarted;
    public int SlowAborted => _slowAborted;

    public ContentHost()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, Port));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapGet("/files/invoice.pdf", (HttpRequest r) => r.Headers.Authorization == Credential
            ? Results.Bytes(Pdf, "application/pdf") : Results.Unauthorized());
        _app.MapGet("/files/hop", () => Results.Redirect("/files/invoice.pdf"));
        _app.MapGet("/files/away", () => Results.Redirect($"{NotAllowed}/files/invoice.pdf"));
        _app.MapGet("/files/loop", () => Results.Redirect("/files/loop"));
        _app.MapGet("/files/huge.pdf", () => Results.Bytes(new byte[Huge], "application/pdf"));
        _app.MapGet("/files/huge-unsized.pdf", async (HttpResponse response) =>
        {
            response.ContentType = "application/pdf"; // written in chunks: no Content-Length
            for (var i = 0; i < Huge / 65536; i++) await response.Body.WriteAsync(new byte[65536]);
        });
        _app.MapGet("/files/page.html", () => Results.Text("<script>alert(1)</script>", "text/html"));
        _app.MapGet("/files/slow.pdf", async (HttpContext context) =>
        {
            Interlocked.Increment(ref _slowStarted);
            try { await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted); }
            catch (OperationCanceledException) { Interlocked.Increment(ref _slowAborted); }
        });
    }

    public Task StartAsync() => _app.StartAsync();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A system whose web host may fetch content for ap-inbox from the <see cref="ContentHost"/>: 1 MiB, 2 s at most (a busy
/// two-core machine needs more than one for a cold first fetch).</summary>
public sealed class ContentSystem : TestSystem
{
    public ContentHost Host { get; } = new();

    protected override Task BeforeHostsStartAsync() => Host.StartAsync();

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => new Dictionary<string, string?>
    {
        ["Content:Sources:ap-inbox:AllowedOrigins:0"] = Host.Allowed,
        ["Content:Sources:ap-inbox:Headers:Authorization"] = ContentHost.Credential,
        ["Content:MaxBytes"] = (1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Content:Timeout"] = "00:00:02",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Host.DisposeAsync();
    }
}
