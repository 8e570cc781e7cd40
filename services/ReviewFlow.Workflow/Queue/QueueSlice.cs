using JasperFx.Events.Projections;
using Marten;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Queue;

/// <summary>
/// What a reviewer sees: the open tasks of their groups (GET /api/v1/queue) and their day (GET /api/v1/me/today), read
/// from the <see cref="ReviewQueueItem"/> read model, which the notification jobs and the reviewer commands read too.
/// </summary>
public static class QueueSlice
{
    /// <summary>
    /// Both hosts, the same registration: the worker writes the items (its saga's saves run the projection), the web host
    /// reads them; a host that migrates at start backfills the documents already in review (once).
    /// </summary>
    public static IHostApplicationBuilder AddReviewQueue(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            // Inline, not async: written in the saga's transaction, so after a 200 on a claim the queue shows the claim.
            opts.Projections.Add(new ReviewQueueProjection(), ProjectionLifecycle.Inline);
            opts.Schema.For<ReviewQueueItem>().DocumentAlias("review_queue_item")
                .Identity(x => x.DocumentId)
                // The queue and the digest's open tasks: status and group, closest to the SLA first, then oldest.
                .Index(x => new { x.ReviewerGroup, x.Status, x.DueAt, x.RequestedAt }, i => i.Name = "rf_queue_open")
                // My day and the digest: what I decided since; what I hold; my first reviews awaiting a second.
                .Index(x => new { x.DecidedBy, x.DecidedAt }, i => i.Name = "rf_queue_decided")
                .Index(x => x.ClaimedBy, i => i.Name = "rf_queue_claimed")
                .Index(x => new { x.FirstReviewerId, x.Status }, i => i.Name = "rf_queue_first_review")
                // The digest's breaches of the day, per group.
                .Index(x => new { x.ReviewerGroup, x.BreachedAt }, i => i.Name = "rf_queue_breached");
            opts.Schema.For<ReviewQueueBackfillRun>().DocumentAlias("review_queue_backfill");
        });
        builder.Services.AddSingleton<ReviewQueueBackfill>();
        if (EventStore.MigratesAtStart(builder.Configuration))
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReviewQueueBackfill>());
        return builder;
    }

    public static IEndpointRouteBuilder MapReviewQueue(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/queue", ReviewQueue.GetAsync).RequireAuthorization(Policies.Review).WithTags("Reviews")
            .WithSummary("The open review tasks of the caller's groups, a page at a time");
        app.MapGet("/api/v1/me/today", MyDay.GetAsync).RequireAuthorization(Policies.Review).WithTags("Reviews")
            .WithSummary("What the caller decided today");
        return app;
    }
}
