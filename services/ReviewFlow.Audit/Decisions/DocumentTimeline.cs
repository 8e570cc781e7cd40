using Marten;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Checkpoints;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Audit.Decisions;

/// <summary>
/// One event of a document's history as the auditor sees it. Role: the one recorded on the event (ActorRole, the role the
/// web host authorized the reviewer command with, since 2026-12); for older events, derived from what the action
/// required — system for the system, Ingest for an HTTP submitter, Supervisor for decisions on escalated or disputed
/// documents, Reviewer for other review actions.
/// </summary>
public sealed record TimelineEntry(
    long Version, long SeqId, string Type, DateTimeOffset At, DateTimeOffset RecordedAt, string Actor, string Role,
    string? Reason, int? PolicyVersion, string? ModelVersion, string? Hash, object Data);

public sealed record TimelineSummary(
    string DocumentId, string? DocumentType, string? PredictedLabel, double? Confidence, string? ModelVersion, string? FinalLabel,
    string? Outcome, string? DecidedBy, DateTimeOffset? DecidedAt, int? PolicyVersion, string? SubmittedBy);

public sealed record DocumentTimeline(TimelineSummary Summary, StreamVerification Chain, IReadOnlyList<TimelineEntry> Events);

public sealed class DocumentTimelines(IDocumentStore store, ChainVerifier verifier, TrustedCheckpoints checkpoints, AuditDatabase db)
{
    public async Task<DocumentTimeline?> LoadAsync(string documentId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(documentId, token: ct);
        if (events.Count == 0) return null;
        var hashes = await db.ReadAsync(ct => HashesAsync(documentId, ct), ct);
        var entries = new List<TimelineEntry>();
        var forSupervisor = false;
        foreach (var e in events)
        {
            var data = e.Data;
            var actor = (data as IDocumentEvent)?.Actor ?? Actors.System;
            var role = (data as IDocumentEvent)?.ActorRole ?? (actor == Actors.System ? "system" : forSupervisor ? "Supervisor" : "Reviewer");
            if (data is ReviewEscalated or ReviewDisagreed) forSupervisor = true;
            var (reason, policy, model) = Describe(data);
            entries.Add(new TimelineEntry(e.Version, e.Sequence, data.GetType().Name, (data as IDocumentEvent)?.At ?? e.Timestamp,
                e.Timestamp, actor, role, reason, policy, model, hashes.GetValueOrDefault(e.Sequence), data));
            if (data is ClassificationReceived { SubmittedBy: { } by })
                entries[^1] = entries[^1] with { Actor = by, Role = "Ingest" };
        }
        var received = events.Select(e => e.Data).OfType<ClassificationReceived>().FirstOrDefault();
        var routed = events.Select(e => e.Data).OfType<DocumentRouted>().LastOrDefault();
        var routing = events.Select(e => e.Data).OfType<RoutingDecided>().FirstOrDefault();
        var summary = new TimelineSummary(documentId, received?.Classification.DocumentType, received?.Classification.Label,
            received?.Classification.Confidence, received?.ModelVersion, routed?.FinalLabel, routed?.Outcome, routed?.DecidedBy,
            routed?.DecidedAt, routed?.PolicyVersion ?? routing?.PolicyVersion, received?.SubmittedBy);
        return new DocumentTimeline(summary, await verifier.VerifyStreamAsync(documentId, await checkpoints.LoadAsync(null, ct), ct), entries);
    }

    /// <summary>Why, and under which policy and model, in one place per event type.</summary>
    static (string? Reason, int? Policy, string? Model) Describe(object data) => data switch
    {
        ClassificationReceived x => ($"received over {x.Channel}", null, x.ModelVersion),
        ClassificationRejected x => (string.Join("; ", x.Reasons), null, x.ModelVersion),
        LaterClassificationIgnored x => ($"later result ignored (status {x.StatusAtArrival})", null, x.ModelVersion),
        RoutingDecided x => ($"{x.Route}: {x.Rule} (confidence {x.Confidence} vs threshold {x.Threshold?.ToString() ?? "—"})", x.PolicyVersion, x.ModelVersion),
        ReviewRequested x => ($"{x.Rule}; queue {x.ReviewerGroup}{(x.FourEyes ? "; four-eyes" : "")}", x.PolicyVersion, x.ModelVersion),
        ReviewClaimed x => (null, x.PolicyVersion, x.ModelVersion),
        ReviewReleased x => (x.Reason, x.PolicyVersion, x.ModelVersion),
        FirstReviewRecorded x => (Join(x.Outcome, x.ReasonCode, x.Comment), x.PolicyVersion, x.ModelVersion),
        ReviewEscalated x => (Join(x.ReasonCode, x.Comment), x.PolicyVersion, x.ModelVersion),
        ReviewDisagreed x => (Join($"{x.FirstReviewerId}: {x.FirstOutcome} vs {x.ReviewerId}: {x.Outcome}", x.ReasonCode, x.Comment), x.PolicyVersion, x.ModelVersion),
        ReviewDecided x => (Join(x.Outcome, x.ReasonCode, x.Comment), x.PolicyVersion, x.ModelVersion),
        SlaReminderDue x => ($"due {x.DueAt:O}", null, null),
        SlaBreached x => ($"due {x.DueAt:O}, status {x.Status}", null, null),
        DocumentRouted x => ($"{x.Outcome}: {x.PredictedLabel} → {x.FinalLabel}", x.PolicyVersion, x.ModelVersion),
        RoutingPolicyAdopted x => (x.Reason, x.Policy.Version, null),
        _ => (null, null, null),
    };

    static string Join(params string?[] parts) => string.Join(" — ", parts.Where(p => !string.IsNullOrWhiteSpace(p)));

    async Task<Dictionary<long, string>> HashesAsync(string streamId, CancellationToken ct)
    {
        await using var command = db.DataSource.CreateCommand($"SELECT seq_id, hash FROM {db.Schema}.rf_event_chain WHERE stream_id = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = streamId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var hashes = new Dictionary<long, string>();
        while (await reader.ReadAsync(ct)) hashes[reader.GetInt64(0)] = Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(1));
        return hashes;
    }
}
