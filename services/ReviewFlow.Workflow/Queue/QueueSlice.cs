using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Queue;

/// <summary>What a reviewer sees: the open tasks of their groups (GET /api/v1/queue) and their day (GET /api/v1/me/today).</summary>
public static class QueueSlice
{
    public static IEndpointRouteBuilder MapReviewQueue(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queue", ReviewQueue.GetAsync).RequireAuthorization(Policies.Review).WithTags("Reviews");
        app.MapGet("/api/v1/me/today", MyDay.GetAsync).RequireAuthorization(Policies.Review).WithTags("Reviews");
        return app;
    }
}
