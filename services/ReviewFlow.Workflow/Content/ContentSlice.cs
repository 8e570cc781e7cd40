using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Content;

/// <summary>GET /api/v1/documents/{id}/content: the document's own content, for the reviewer page's viewer (web host).</summary>
public static class ContentSlice
{
    public static IHostApplicationBuilder AddDocumentContent(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ContentOptions>(builder.Configuration.GetSection(ContentOptions.Section));
        builder.Services.AddSingleton<ContentProxy>();
        // The proxy's own deadline (Content:Timeout) bounds each fetch; the client's would cut it at 100 s with another message.
        builder.Services.AddHttpClient(ContentProxy.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(ContentProxy.Handler);
        return builder;
    }

    public static IEndpointRouteBuilder MapDocumentContent(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/documents/{documentId}/content", ContentAsync).WithTags("Documents")
            .Produces(StatusCodes.Status200OK, typeof(Stream), "application/pdf", "image/png", "image/jpeg", "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status502BadGateway).ProducesProblem(StatusCodes.Status504GatewayTimeout)
            .WithSummary("The document itself, fetched from its source system's allowed origins");
        return app;
    }

    /// <summary>Whoever may read the document may see its content (the same 404 otherwise); the URL is the stored one, never the caller's.</summary>
    static async Task<IResult> ContentAsync(string documentId, ClaimsPrincipal user, IQuerySession session,
        IRoutingPolicySource policies, ContentProxy proxy, HttpContext context, CancellationToken ct)
    {
        if (await DocumentAccess.VisibleAsync(user, documentId, session, policies, ct) is not { State: var state })
            return DocumentEndpoints.NotFound(documentId);
        if (state.Classification?.ContentUri is not { } link || !Uri.TryCreate(link, UriKind.Absolute, out var uri))
            return ContentRefusal.NoContent(documentId).ToProblem();
        return await proxy.ServeAsync(context, documentId, state.Classification.SourceSystem, uri);
    }
}
