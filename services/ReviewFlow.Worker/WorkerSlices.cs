using ReviewFlow.Audit;
using ReviewFlow.Notifications;
using ReviewFlow.Teams;
using ReviewFlow.Workflow.Supervising;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Operations;
using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Relay;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.Sla;

namespace ReviewFlow.Worker;

/// <summary>What a worker process runs, slice by slice (the tests boot the same list in-process).</summary>
public static class WorkerSlices
{
    public static IHostApplicationBuilder AddWorkerSlices(this IHostApplicationBuilder builder)
    {
        builder.AddEventStore();
        builder.AddRoutingPolicy().AdoptConfiguredRoutingPolicy();
        builder.AddIntake().AddIntakeQueues();
        builder.AddDocuments().AddDocumentSaga();
        builder.AddReviewQueue();
        builder.AddDecisionRelay();
        builder.AddSlaTimers();
        builder.AddNotificationHistory().AddNotifying().AddMemberPresence();
        builder.AddTeamsCards();
        builder.AddQuality().AddQualityCounting();
        builder.AddAuditTrail().AddAuditCheckpoints();
        builder.AddHealth();
        builder.AddTelemetry("reviewflow-worker").AddOperationsGauges();
        builder.AddOperations();
        return builder.AddBus();
    }
}
