using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Decisions;
using ReviewFlow.Audit.Export;
using ReviewFlow.Audit.Reports;
using ReviewFlow.Audit.Retention;
using ReviewFlow.Audit.Verification;
using ReviewFlow.Workflow.Hosting;

namespace ReviewFlow.Audit;

public static class AuditHosting
{
    /// <summary>
    /// The audit side, one call after AddReviewFlow in each host: the event chain (installed at start), the
    /// DecisionRecord read model (an async projection the worker's daemon runs), and on the web host the query,
    /// export and verification services.
    /// </summary>
    public static IHostApplicationBuilder AddReviewFlowAudit(this IHostApplicationBuilder builder, HostRole role)
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
        if (ReviewFlowHosting.MigratesAtStart(builder.Configuration))
            services.AddHostedService(sp => sp.GetRequiredService<AuditSchemaInstaller>());
        services.AddSingleton<ChainVerifier>();
        if (role == HostRole.Web)
        {
            services.AddSingleton<DecisionSearch>();
            services.AddSingleton<DocumentTimelines>();
            services.AddSingleton<AuditReports>();
            services.AddSingleton<AuditExporter>();
            services.AddSingleton<Archival>();
            services.AddSingleton<VerificationQueue>();
            services.AddHostedService<VerificationWorker>();
        }
        return builder;
    }
}
