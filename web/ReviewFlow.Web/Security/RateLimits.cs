using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.Security;

/// <summary>
/// ASP.NET Core's rate limiter: a fixed window per signed-in user (their oid), per client address for everyone else
/// (sign-in pages, wrong tokens). Endpoints that require the Ingest policy count in a budget of their own, higher:
/// an upstream system submits in bursts. Health probes are exempt; the pages' static files are served before it.
/// Over the limit: 429 problem details with Retry-After (seconds to the window's end).
/// </summary>
public static class RateLimits
{
    /// <summary>RateLimits:Window, :PermitLimit (per user or address), :IngestPermitLimit (per upstream caller).</summary>
    public sealed class Options
    {
        public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
        public int PermitLimit { get; set; } = 600;
        public int IngestPermitLimit { get; set; } = 6000;
    }

    public static WebApplicationBuilder AddRateLimits(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("RateLimits").Get<Options>() ?? new Options();
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options));
            o.OnRejected = RejectAsync;
        });
        return builder;
    }

    static RateLimitPartition<string> Partition(HttpContext context, Options options)
    {
        if (context.Request.Path.StartsWithSegments("/health")) return RateLimitPartition.GetNoLimiter("health");
        var caller = context.User.Identity?.IsAuthenticated == true
            ? "user:" + context.User.UserId()
            : "address:" + context.Connection.RemoteIpAddress;
        var ingest = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == Policies.Ingest) == true;
        var limit = ingest ? options.IngestPermitLimit : options.PermitLimit;
        return RateLimitPartition.GetFixedWindowLimiter((ingest ? "ingest|" : "") + caller, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit,
            Window = options.Window,
            QueueLimit = 0, // refuse at once: a queued request holds a connection and still arrives late
        });
    }

    static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var http = rejected.HttpContext;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        var detail = "Too many requests from this caller.";
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            detail += $" Try again in {seconds} s.";
        }
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = detail },
        });
    }
}
