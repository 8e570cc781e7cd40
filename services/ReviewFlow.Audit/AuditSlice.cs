using JasperFx.Events.Projections;
using Hangfire;
using Marten;
using Microsoft.Extensions.Options;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Checkpoints;
using ReviewFlow.Audit.Decisions;
using ReviewFlow.Audit.Export;
using ReviewFlow.Audit.Reports;
using ReviewFlow.Audit.Retention;
using ReviewFlow.Audit.Verification;
using ReviewFlow.Workflow.Hosting;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Audit;

/// <summary>
/// The audit trail: the per-stream hash chain over every event (installed by the schema's owner), the DecisionRecord
/// read model (an async projection, run by the worker's daemon), and the auditor's queries, export and verification.
/// </summary>
public static class AuditSlice
{
    /// <summary>Both hosts: the chain, its verifier and the DecisionRecord read model.</summary>
    public static IHostApplicationBuilder AddAuditTrail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<AuditOptions>(builder.Configuration.GetSection("Audit"));
        services.AddSingleton(_ => AuditDatabase.FromConfiguration(builder.Configuration));
        services.ConfigureMarten(opts =>
        {
            opts.Projections.Add<DecisionRecordProjection>(ProjectionLifecycle.Async);
            opts.Schema.For<DecisionRecord>().DocumentAlias("audit_decision")
                .Duplicate(x => x.DecidedAt!, configure: i => i.Name = "rf_decision_decided_at")
                .Duplicate(x => x.DecidedBy!, configure: i => i.Name = "rf_decision_decided_by")
                .Duplicate(x => x.DocumentType!, configure: i => i.Name = "rf_decision_document_type")
                .Duplicate(x => x.PredictedLabel!, configure: i => i.Name = "rf_decision_predicted_label")
                .Duplicate(x => x.FinalLabel!, configure: i => i.Name = "rf_decision_final_label")
                .Duplicate(x => x.Outcome!, configure: i => i.Name = "rf_decision_outcome")
                .Duplicate(x => x.PolicyVersion!, configure: i => i.Name = "rf_decision_policy_version")
                .Duplicate(x => x.ModelVersion!, configure: i => i.Name = "rf_decision_model_version")
                .Duplicate(x => x.SlaBreached, configure: i => i.Name = "rf_decision_sla_breached");
            opts.Schema.For<VerificationRun>().DocumentAlias("audit_verification");
            opts.Events.AddEventType<EventsArchived>();
        });
        // The chain's objects and the grants are the owner's job: at start when the host migrates, else `--migrate`.
        services.AddSingleton<AuditSchemaInstaller>();
        if (EventStore.MigratesAtStart(builder.Configuration))
            services.AddHostedService(sp => sp.GetRequiredService<AuditSchemaInstaller>());
        services.AddSingleton<ChainVerifier>();
        services.AddSingleton<CheckpointTrust>();
        services.AddSingleton<CheckpointSink>();
        services.AddSingleton<TrustedCheckpoints>();
        services.AddSingleton<DecisionRecordCheck>();
        return builder;
    }

    /// <summary>The worker: signs the chain heads periodically and sends them out of the database (Audit:Checkpoint…, docs/adr/0013).</summary>
    public static IHostApplicationBuilder AddAuditCheckpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTransient<CheckpointJob>();
        // Registered (or removed, without a key) when a worker starts.
        builder.Services.AddRecurringJob(CheckpointJob.JobId, (sp, recurring) =>
        {
            var options = sp.GetRequiredService<IOptions<AuditOptions>>().Value;
            if (string.IsNullOrEmpty(options.CheckpointKey))
            {
                sp.GetRequiredService<ILogger<CheckpointJob>>().LogWarning(
                    "Audit:CheckpointKey is not set: the chain heads are not checkpointed outside the database (docs/operations.md)");
                recurring.RemoveIfExists(CheckpointJob.JobId);
            }
            else recurring.AddOrUpdate<CheckpointJob>(CheckpointJob.JobId, j => j.RunAsync(CancellationToken.None), options.CheckpointCron);
        });
        return builder;
    }

    /// <summary>The web host: decision search, timelines, reports, export, archival and background verification.</summary>
    public static IHostApplicationBuilder AddAuditQueries(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<DecisionSearch>();
        services.AddSingleton<DocumentTimelines>();
        services.AddSingleton<AuditReports>();
        services.AddSingleton<AuditExporter>();
        services.AddSingleton<Archival>();
        services.AddSingleton<VerificationQueue>();
        services.AddHostedService<VerificationWorker>();
        return builder;
    }

    /// <summary>/api/v1/audit/… (Auditor) and POST /api/v1/admin/archival (Admin).</summary>
    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        AuditEndpoints.Map(app);
        return app;
    }
}
