using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// Reviewer commands over HTTP, one file each (Claim, Release, Reassign, Decide, BulkConfirm). The web host checks who
/// may act; the document's saga (the single writer of its stream) decides whether the state allows it
/// (<see cref="DocumentDecisions"/>) and answers after its transaction committed.
/// </summary>
public static class ReviewingSlice
{
    public static IHostApplicationBuilder AddReviewing(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GroupDirectory>();
        CommandSeal.Register(builder);
        Operations.ReviewFlowMetrics.Register(builder.Services);
        return builder;
    }

    public static IEndpointRouteBuilder MapReviewing(this IEndpointRouteBuilder app)
    {
        var reviews = app.MapGroup("/api/v1/reviews/{documentId}").RequireAuthorization(Policies.Review).WithTags("Reviews")
            .AddEndpointFilter(CountRefusals);
        reviews.MapPost("/claim", Claim.HandleAsync).AnsweredAsCommand()
            .WithSummary("Claim the task (or renew the claim's lease)");
        reviews.MapPost("/release", Release.HandleAsync).AnsweredAsCommand()
            .WithSummary("Give the task back to the queue");
        reviews.MapPost("/decision", Decide.HandleAsync).AnsweredAsCommand().ProducesValidationProblem()
            .WithSummary("Decide: confirm, correct, reject or escalate");
        reviews.MapPost("/reassign", Reassign.HandleAsync).RequireAuthorization(Policies.Supervise).AnsweredAsCommand().ProducesValidationProblem()
            .WithSummary("Hand the task to a member of its group");
        app.MapPost("/api/v1/reviews/next", ClaimNext.HandleAsync).RequireAuthorization(Policies.Review).WithTags("Reviews")
            .Produces<NextTask>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Claim the next task in the caller's groups (breached first, then due time, then oldest)");
        app.MapPost("/api/v1/reviews/bulk-confirm", BulkConfirm.HandleAsync).RequireAuthorization(Policies.Supervise).WithTags("Reviews")
            .Produces<IReadOnlyList<BulkConfirmResult>>().ProducesValidationProblem()
            .WithSummary("Confirm the prediction of up to 200 documents, each claimed and decided on its own");
        app.MapGet("/api/v1/document-types", DocumentTypes.ListAsync)
            .RequireAuthorization(p => p.RequireRole(Roles.Reviewer, Roles.Supervisor, Roles.Admin, Roles.Auditor)).WithTags("Reviews")
            .Produces<IReadOnlyList<DocumentTypeOptions>>()
            .WithSummary("The labels and reason codes a decision chooses from, per document type");
        return app;
    }

    /// <summary>A 409 from the saga (a claim held by someone else, a task decided meanwhile), counted by command (claim, decision …).</summary>
    static async ValueTask<object?> CountRefusals(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (result is ProblemHttpResult { StatusCode: StatusCodes.Status409Conflict })
            context.HttpContext.RequestServices.GetRequiredService<Operations.ReviewFlowMetrics>()
                .Refused(context.HttpContext.Request.Path.Value?.Split('/')[^1] ?? "unknown");
        return result;
    }

    /// <summary>What every reviewer command answers (<see cref="SendAsync{T}"/>), for the OpenAPI description.</summary>
    static RouteHandlerBuilder AnsweredAsCommand(this RouteHandlerBuilder endpoint) => endpoint.Produces<ReviewCommandAccepted>()
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>
    /// 404 no review task (an unknown document, one routed automatically, or another group's task), 409 what the
    /// document's state refused, 200 what was recorded. Who may act is read from the review queue's item.
    /// </summary>
    internal static IResult NoTask(string documentId) =>
        TypedResults.Problem(statusCode: 404, title: "No such document", detail: $"No review task for '{documentId}'.");

    /// <param name="loaded">The document's queue item when the caller loaded it already (it is loaded otherwise).</param>
    internal static async Task<IResult> SendAsync<T>(string documentId, ClaimsPrincipal user, IQuerySession session,
        IRequestClient<T> client, CommandSeal seal, T command, CancellationToken ct, ReviewQueueItem? loaded = null) where T : class
    {
        var task = loaded ?? await session.LoadAsync<ReviewQueueItem>(documentId, ct);
        // Another group's task is answered as an unknown one: need to know (docs/contracts.md, "Read side").
        if (task is null || !user.Groups().Contains(task.ReviewerGroup)) return NoTask(documentId);

        var response = await seal.RequestAsync(client, command, ct);
        if (response.Is(out Response<ReviewCommandAccepted>? accepted)) return TypedResults.Ok(accepted!.Message);
        response.Is(out Response<ReviewCommandRefused>? refused);
        var problem = TypedResults.Problem(statusCode: 409, title: "Refused", detail: refused!.Message.Reason);
        problem.ProblemDetails.Extensions["status"] = refused.Message.Status;
        problem.ProblemDetails.Extensions["heldBy"] = refused.Message.HeldBy;
        return problem;
    }
}
