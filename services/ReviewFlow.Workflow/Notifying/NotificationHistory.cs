using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Workflow.Notifying;

/// <summary>
/// The notification attempts kept beside each document (<see cref="NotificationRecord"/>): stored by the worker's
/// notifier, shown by the web host at GET /api/v1/documents/{id}/notifications.
/// </summary>
public static class NotificationHistory
{
    public static IHostApplicationBuilder AddNotificationHistory(this IHostApplicationBuilder builder)
    {
        // Looked up per document: by the notification jobs (already sent?) and GET …/notifications.
        builder.Services.ConfigureMarten(opts => opts.Schema.For<NotificationRecord>().Index(x => x.DocumentId!));
        return builder;
    }

    public static IEndpointRouteBuilder MapNotificationHistory(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/documents/{documentId}/notifications", NotificationsAsync).WithTags("Documents")
            .ProducesProblem(StatusCodes.Status404NotFound).WithSummary("The notifications sent about the document (Teams, mail)");
        return app;
    }

    /// <summary>Every Teams/Outlook notification attempt for the document, oldest first, with its outcome.</summary>
    static async Task<Results<Ok<NotificationView[]>, ProblemHttpResult>> NotificationsAsync(string documentId, ClaimsPrincipal user,
        IQuerySession session, IRoutingPolicySource policies, CancellationToken ct)
    {
        if (await DocumentAccess.VisibleAsync(user, documentId, session, policies, ct) is null) return DocumentEndpoints.NotFound(documentId);
        var records = await session.Query<NotificationRecord>().Where(r => r.DocumentId == documentId)
            .OrderBy(r => r.At).Take(500).ToListAsync(ct);
        return TypedResults.Ok(records.Select(r => new NotificationView(r.Kind, r.Channel, r.Recipient, r.Attempt, r.Outcome,
            r.HttpStatus, r.Detail, r.At)).ToArray());
    }
}

public sealed record NotificationView(string Kind, string Channel, string Recipient, int Attempt, string Outcome, int? HttpStatus,
    string? Detail, DateTimeOffset At);

