using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;

namespace ReviewFlow.Workflow.Content;

/// <summary>
/// Fetches a document's content from its stored contentUri and answers with it — never an open proxy: the URL is only
/// the document's own, every hop (at most <see cref="MostRedirects"/> redirects, followed here, not by the handler) must
/// be on an origin allowed for the document's source system, and type, size and time are limited.
/// </summary>
public sealed class ContentProxy(IHttpClientFactory clients, IOptions<ContentOptions> options, ILogger<ContentProxy> logger)
{
    public const string HttpClientName = "document-content";
    public const int MostRedirects = 3;

    public async Task<IResult> ServeAsync(HttpContext context, string documentId, string? sourceSystem, Uri uri)
    {
        var settings = options.Value;
        var source = sourceSystem ?? ContentOptions.DefaultSource;
        if (!settings.Sources.TryGetValue(source, out var allowed)) return Refuse(documentId, ContentRefusal.NoSource(source));

        // One deadline for the whole fetch, headers and body: a slow host costs a request at most Content:Timeout.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            var (response, refusal) = await OpenAsync(allowed, source, uri, deadline.Token);
            if (refusal is not null) return Refuse(documentId, refusal);
            using (response)
                return await AnswerAsync(context, response!, settings.MaxBytes, documentId, deadline.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            if (context.Response.HasStarted) { context.Abort(); return Results.Empty; }
            return Refuse(documentId, ContentRefusal.TimedOut(settings.Timeout));
        }
        catch (HttpRequestException e) when (!context.Response.HasStarted)
        {
            return Refuse(documentId, ContentRefusal.Unreachable(e.Message));
        }
    }

    async Task<(HttpResponseMessage?, ContentRefusal?)> OpenAsync(ContentSource allowed, string source, Uri uri, CancellationToken ct)
    {
        var http = clients.CreateClient(HttpClientName);
        for (var hop = 0; ; hop++)
        {
            if (!allowed.Allows(uri)) return (null, ContentRefusal.HostNotAllowed(source, uri, redirected: hop > 0));
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var (name, value) in allowed.Headers) request.Headers.TryAddWithoutValidation(name, value);
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                if (hop == MostRedirects) return (null, ContentRefusal.TooManyRedirects(MostRedirects));
                uri = new Uri(uri, location);
                continue;
            }
            if (response.IsSuccessStatusCode) return (response, null);
            response.Dispose();
            return (null, ContentRefusal.Upstream((int)response.StatusCode));
        }
    }

    async Task<IResult> AnswerAsync(HttpContext context, HttpResponseMessage response, long maxBytes, string documentId, CancellationToken ct)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        var charset = response.Content.Headers.ContentType?.CharSet;
        if (type is null || !ContentOptions.AllowedTypes.Contains(type)) return Refuse(documentId, ContentRefusal.TypeNotAllowed(type));
        var declared = response.Content.Headers.ContentLength;
        if (declared > maxBytes) return Refuse(documentId, ContentRefusal.TooLarge(maxBytes));

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        if (declared is null)
        {
            // No length given: read it here up to the limit, so that an oversized body is still a problem answer.
            using var buffered = new MemoryStream();
            if (!await CopyAsync(body, buffered, maxBytes, ct)) return Refuse(documentId, ContentRefusal.TooLarge(maxBytes));
            Headers(context, type, charset, buffered.Length);
            buffered.Position = 0;
            await buffered.CopyToAsync(context.Response.Body, ct);
            return Results.Empty;
        }
        // A declared length within the limit streams through, counted: a host that sends more than it said is cut off.
        Headers(context, type, charset, declared.Value);
        if (!await CopyAsync(body, context.Response.Body, maxBytes, ct)) context.Abort();
        return Results.Empty;
    }

    /// <summary>Inline, never cached, never sniffed, and sandboxed should a browser open it as a page of its own.</summary>
    static void Headers(HttpContext context, string type, string? charset, long length)
    {
        var headers = context.Response.Headers;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = type == "text/plain" && charset is not null ? $"text/plain; charset={charset}" : type;
        context.Response.ContentLength = length;
        headers.ContentDisposition = "inline";
        headers.CacheControl = "private, no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'";
    }

    static async Task<bool> CopyAsync(Stream from, Stream to, long maxBytes, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await from.ReadAsync(buffer, ct)) > 0)
            {
                total += read;
                if (total > maxBytes) return false;
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            return true;
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
    }

    IResult Refuse(string documentId, ContentRefusal refusal)
    {
        if (refusal.Reason != "no-content")
            logger.LogWarning("Content of {DocumentId} refused ({Reason}): {Detail}", documentId, refusal.Reason, refusal.Detail);
        return refusal.ToProblem();
    }

    /// <summary>The named client: no redirects (followed and checked above), no cookies, no decompression bombs.</summary>
    public static SocketsHttpHandler Handler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };
}
