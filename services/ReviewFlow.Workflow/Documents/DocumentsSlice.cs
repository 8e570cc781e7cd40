using Marten;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Saga;
using ReviewFlow.Contracts;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Hosting;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Documents;

/// <summary>The document: its events and state in the store (both hosts), its saga (worker), its read API (web host).</summary>
public static class DocumentsSlice
{
    public const string DocumentsQueue = "reviewflow-documents";

    // One retry policy per endpoint (MassTransit 8 does not nest them: an outer policy rethrows what an inner one gave
    // up on). The first intervals are for a lost concurrency race or a passing fault; the long tail waits a database
    // outage (a restart, a failover) out for about two minutes before a message is given up to its _error queue.
    static readonly int[] SagaRetries = [10, 50, 100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 30000, 30000];

    /// <summary>Every <see cref="IDocumentEvent"/> type (found, not listed: a new event needs no registration) and the saga's document.</summary>
    public static IHostApplicationBuilder AddDocuments(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Events.AddEventTypes(DocumentEventTypes.All);
            opts.Schema.For<DocumentState>()
                .Identity(x => x.CorrelationId)
                .UniqueIndex(x => x.DocumentId)
                // The timers' sweep looks for open tasks past their SLA or lease: timestamptz columns written with
                // the document, indexed only where set. Not Marten's computed indexes on the JSON: each saga write
                // called a LANGUAGE sql function (mt_immutable_timestamptz) per index, planned anew each time, and
                // indexed every automatically routed document's null (docs/performance.md, "Levers tried").
                .Duplicate(x => x.SlaDueAt, configure: i => { i.Name = "rf_document_sla_due_at"; i.Predicate = "sla_due_at IS NOT NULL"; })
                .Duplicate(x => x.LeaseExpiresAt, configure: i => { i.Name = "rf_document_lease_expires_at"; i.Predicate = "lease_expires_at IS NOT NULL"; });
        });
        return builder;
    }

    /// <summary>The document's saga, the single writer of its stream, on the reviewflow-documents queue.</summary>
    public static IHostApplicationBuilder AddDocumentSaga(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ReviewOptions>(builder.Configuration.GetSection("Review"));
        Reviewing.CommandSeal.Register(builder);
        Operations.ReviewFlowMetrics.Register(builder.Services);
        var attemptTimeout = builder.Configuration.GetValue("Documents:AttemptTimeout", AttemptDeadline.Default);
        return builder.AddBusPart(new BusPart(
            x => x.AddSagaStateMachine<DocumentStateMachine, DocumentState>()
                .Repository(r => r.RegisterSagaRepository<DocumentState, IDocumentSession,
                    SagaConsumeContextFactory<IDocumentSession, DocumentState>, DocumentSagaRepository>())
                .ExcludeFromConfigureEndpoints(),
            (context, cfg, bus) => cfg.ReceiveEndpoint(DocumentsQueue, e =>
            {
                bus.Owned(e);
                e.PrefetchCount = 64;
                e.ConcurrentMessageLimit = 32;
                // A lost optimistic-concurrency race is retried on fresh state; replies wait for the commit.
                e.UseMessageRetry(r => r.Intervals(SagaRetries));
                e.UseAttemptDeadline(attemptTimeout);
                e.UseInMemoryOutbox(context);
                OneAtATimePerDocument(e);
                e.ConfigureSaga<DocumentState>(context);
            })));
    }

    /// <summary>
    /// A document's messages are handled one at a time in this process (32 partitions by document, the endpoint's
    /// concurrency). Without it, reviewers pressing "next" together sent claims for the same task at once: all but one
    /// lost the stream-version race and rolled back, and each rolled-back append left a hole in the event sequence that
    /// held the relay and the projections for the daemon's gap wait (3–5 s; measured with bench `decide`: a decision
    /// reached reviewflow.decisions ~4 s after the reviewer's click). Across worker processes the race, and its retry,
    /// remain possible, rarely.
    /// </summary>
    static void OneAtATimePerDocument(IReceiveEndpointConfigurator e)
    {
        var partitioner = e.CreatePartitioner(32);
        e.UsePartitioner<ClassificationAccepted>(partitioner, c => DocumentKey.For(c.Message.Classification.DocumentId));
        e.UsePartitioner<ClassificationRefused>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<ClaimReview>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<ReleaseReview>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<ReassignReview>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<DecideReview>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<Sla.SlaTimerElapsed>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
        e.UsePartitioner<Sla.ClaimLeaseElapsed>(partitioner, c => DocumentKey.For(c.Message.DocumentId));
    }

    /// <summary>GET /api/v1/documents/{id} and …/history.</summary>
    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        DocumentEndpoints.Map(app);
        return app;
    }
}

static class DocumentEventTypes
{
    public static readonly Type[] All = typeof(IDocumentEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDocumentEvent).IsAssignableFrom(t))
        .OrderBy(t => t.Name).ToArray();
}
