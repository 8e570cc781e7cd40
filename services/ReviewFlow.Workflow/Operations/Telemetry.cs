using MassTransit;
using MassTransit.Logging;
using MassTransit.Monitoring;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ReviewFlow.Workflow.Operations;

/// <summary>
/// OpenTelemetry on both hosts (docs/operations.md, "Metrics and traces"; docs/adr/0020): ReviewFlow's own meter
/// (<see cref="ReviewFlowMetrics"/>), MassTransit's, Npgsql's, ASP.NET Core's, HttpClient's and the runtime's, scraped by
/// Prometheus at /metrics. Traces (ASP.NET Core → MassTransit → saga → Npgsql, HttpClient to Graph and content sources)
/// and logs go out over OTLP only when an endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT, the SDK's own variable):
/// without a collector no activity is recorded, so an unobserved host pays nothing for tracing.
/// </summary>
public static class Telemetry
{
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        ReviewFlowMetrics.Register(builder.Services);
        // Every log line carries the trace and span ids of the work it belongs to (as scopes in the JSON console format).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? serviceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithMetrics(m =>
            {
                m.AddMeter(ReviewFlowMetrics.MeterName, InstrumentationOptions.MeterName, "Npgsql")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddSource(DiagnosticHeaders.DefaultListenerName, Documents.FirstReceipts.Activities.Name)
                .AddNpgsql()
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
            telemetry.WithLogging(l => l.AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>The worker's gauges read from the store: queue depth, oldest task age, relay lag (<see cref="OperationsGauges"/>).</summary>
    public static IHostApplicationBuilder AddOperationsGauges(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<OperationsGauges>();
        return builder;
    }

    /// <summary>
    /// GET /metrics in Prometheus' text format. Anonymous, as /health is: scrapers carry no token, and the series hold
    /// counts by document type, reviewer group and outcome, never a document or user id. The reverse proxy does not
    /// forward it (infra/nginx); the worker has no public address.
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }

    static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics");

    /// <summary>Every log line of an HTTP request on a document (a {documentId} route) carries its id.</summary>
    public static IApplicationBuilder UseDocumentLogScope(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ReviewFlow.Http");
        return app.Use(async (context, next) =>
        {
            if (context.Request.RouteValues.TryGetValue("documentId", out var id) && id is string documentId)
            {
                using (log.BeginScope(new Dictionary<string, object?> { ["DocumentId"] = documentId }))
                    await next(context);
            }
            else await next(context);
        });
    }

    /// <summary>
    /// Every log line written while a message is consumed carries the document id (when the message names one), the
    /// message id and the correlation id, so `documentId = X` finds a document's whole path in the logs of every host.
    /// </summary>
    public static void UseDocumentLogScope(this IBusFactoryConfigurator cfg, IRegistrationContext context) =>
        cfg.UseConsumeFilter(typeof(DocumentLogScopeFilter<>), context);
}

public sealed class DocumentLogScopeFilter<T>(ILogger<DocumentLogScopeFilter<T>> log) : IFilter<ConsumeContext<T>> where T : class
{
    static readonly Func<T, string?>? DocumentIdOf =
        typeof(T).GetProperty("DocumentId") is { PropertyType: var type, GetMethod: { } getter } && type == typeof(string)
            ? getter.CreateDelegate<Func<T, string?>>()
            : null;

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        using (log.BeginScope(new Dictionary<string, object?>
               {
                   ["DocumentId"] = DocumentIdOf?.Invoke(context.Message),
                   ["MessageId"] = context.MessageId,
                   ["CorrelationId"] = context.CorrelationId ?? context.ConversationId,
               }))
            await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("documentLogScope");
}
