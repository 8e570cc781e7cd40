using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Checkpoints;
using ReviewFlow.Audit.Decisions;
using ReviewFlow.Audit.Export;
using ReviewFlow.Audit.Reports;
using ReviewFlow.Audit.Verification;
using ReviewFlow.Audit.Retention;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Audit;

/// <summary>
/// The auditor's read-only API (role Auditor): decision search, timelines, reports, export, chain verification.
/// Whole-store verification may also be started by an Admin. Times in and out are UTC (ISO 8601).
/// </summary>
static class AuditEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        ArchivalEndpoint.Map(app);
        var audit = app.MapGroup("/api/v1/audit").WithTags("Audit")
            .RequireAuthorization(p => p.RequireRole(Roles.Auditor));
        audit.MapGet("/decisions", SearchAsync).WithSummary("Search the decisions (a page at a time: after = the previous page's next)");
        audit.MapGet("/documents/{documentId}/timeline", TimelineAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A document's events with who acted, in which role, and the chain's hashes");
        audit.MapGet("/verify", VerifyAsync).ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Verify one document: its chain, the signed checkpoints and its decision record");
        CheckpointEndpoint.Map(app);
        audit.MapGet("/export", ExportAsync)
            .Produces(StatusCodes.Status200OK, typeof(Stream), "application/x-ndjson", "text/csv").ProducesValidationProblem()
            .WithSummary("Export a period's events as JSON lines or CSV (the X-Export-Id header names its manifest)");
        audit.MapGet("/exports/{exportId:guid}/manifest", ManifestAsync).WithSummary("An export's manifest: counts and hashes");
        audit.MapGet("/reports/overrides", (DateTimeOffset? from, DateTimeOffset? to, AuditReports reports, CancellationToken ct) =>
            Period(from, to, (f, t) => reports.OverridesAsync(f, t, ct))).WithSummary("Overrides of the model by reviewers in a period");
        audit.MapGet("/reports/sla-breaches", (DateTimeOffset? from, DateTimeOffset? to, AuditReports reports, CancellationToken ct) =>
            Period(from, to, (f, t) => reports.SlaBreachesAsync(f, t, ct))).WithSummary("SLA breaches in a period");
        audit.MapGet("/reports/segregation", (DateTimeOffset? from, DateTimeOffset? to, AuditReports reports, CancellationToken ct) =>
            Period(from, to, (f, t) => reports.SegregationAsync(f, t, ct))).WithSummary("Segregation of duties: four-eyes decisions in a period");
        audit.MapGet("/reports/policy-history", async (AuditReports reports, CancellationToken ct) =>
            TypedResults.Ok(await reports.PolicyHistoryAsync(ct))).WithSummary("Every routing policy version and who adopted it");

        var verifications = app.MapGroup("/api/v1/audit/verifications").WithTags("Audit")
            .RequireAuthorization(p => p.RequireRole(Roles.Auditor, Roles.Admin));
        verifications.MapPost("/", StartVerificationAsync).Accepts<CheckpointFile>(isOptional: true, "application/json")
            .WithSummary("Verify the whole store in the background (optionally against a checkpoint file kept outside)");
        verifications.MapGet("/{id:guid}", async Task<Results<Ok<VerificationRun>, NotFound>> (Guid id, IQuerySession session, CancellationToken ct) =>
            await session.LoadAsync<VerificationRun>(id, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound())
            .WithSummary("A whole-store verification's progress and findings");
    }

    static async Task<Results<Ok<DecisionPage>, ValidationProblem>> SearchAsync(DateTimeOffset? from, DateTimeOffset? to, string? reviewer, string? documentType,
        string? predictedLabel, string? finalLabel, string? outcome, int? policyVersion, string? modelVersion, bool? slaBreached,
        string? after, int? pageSize, DecisionSearch search, CancellationToken ct)
    {
        if (outcome is not (null or "" or "auto" or "confirmed" or "corrected" or "rejected"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["outcome"] = ["auto, confirmed, corrected or rejected"] });
        var filter = new DecisionFilter(from, to, Blank(reviewer), Blank(documentType), Blank(predictedLabel), Blank(finalLabel),
            Blank(outcome), policyVersion, Blank(modelVersion), slaBreached);
        try
        {
            return TypedResults.Ok(await search.SearchAsync(filter, after, Math.Clamp(pageSize ?? 50, 1, 500), ct));
        }
        catch (BadCursorException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = [ex.Message] });
        }
    }

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    static async Task<Results<Ok<DocumentTimeline>, ProblemHttpResult>> TimelineAsync(string documentId, DocumentTimelines timelines,
        CancellationToken ct) =>
        await timelines.LoadAsync(documentId, ct) is { } timeline
            ? TypedResults.Ok(timeline)
            : TypedResults.Problem(statusCode: 404, title: "No such document", detail: $"No events recorded for '{documentId}'.");

    /// <summary>
    /// "intact", or every finding: the chain, the document's head against the sink's signed checkpoints, and its
    /// DecisionRecord against its events.
    /// </summary>
    static async Task<Results<Ok<DocumentVerification>, ValidationProblem, ProblemHttpResult>> VerifyAsync(string? documentId, ChainVerifier verifier, TrustedCheckpoints trusted, DecisionRecordCheck records,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(documentId))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["documentId"] = ["is required (POST /api/v1/audit/verifications checks the whole store)"] });
        var checkpoints = await trusted.LoadAsync(null, ct);
        var result = await verifier.VerifyStreamAsync(documentId, checkpoints, ct);
        if (result.EventsChecked == 0 && result.CheckpointedVersion is null)
            return TypedResults.Problem(statusCode: 404, title: "No such document", detail: $"No events or chain entries for '{documentId}'.");
        var mismatches = result.Mismatches.Concat(await records.CheckAsync([documentId], ct)).ToList();
        return TypedResults.Ok(new DocumentVerification(documentId, mismatches.Count == 0 ? "intact" : "mismatch", result.EventsChecked,
            result.HeadHash, mismatches.FirstOrDefault(), mismatches,
            new CheckedAgainst(checkpoints.Status.Source, checkpoints.Status.LatestNumber, checkpoints.Status.LatestTakenAt, result.CheckpointedVersion)));
    }

    /// <summary>The body is optional: a checkpoint file the auditor kept (GET /api/v1/audit/checkpoints) to check against instead of the sink.</summary>
    static async Task<Results<Accepted<VerificationRun>, ValidationProblem>> StartVerificationAsync(ClaimsPrincipal user, VerificationQueue queue, IDocumentStore store, TimeProvider clock,
        HttpRequest request, CancellationToken ct)
    {
        CheckpointFile? file = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                file = await request.ReadFromJsonAsync<CheckpointFile>(AuditJson.Options, ct);
            }
            catch (System.Text.Json.JsonException ex)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["checkpoints"] = [ex.Message] });
            }
        }
        var run = await queue.EnqueueAsync(store, user.UserId(), file?.Checkpoints, clock, ct);
        return TypedResults.Accepted($"/api/v1/audit/verifications/{run.Id}", run);
    }

    /// <summary>
    /// Streams the period's events (recorded time, [from, to)) as csv or jsonl. The X-Export-Id header names the manifest
    /// (GET /api/v1/audit/exports/{id}/manifest), stored once the last byte has been written.
    /// </summary>
    static async Task ExportAsync(HttpContext http, DateTimeOffset? from, DateTimeOffset? to, string? format, AuditExporter exporter,
        CancellationToken ct)
    {
        format = string.IsNullOrEmpty(format) ? "jsonl" : format;
        if (from is null || to is null || from >= to || format is not ("csv" or "jsonl"))
        {
            await TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["period"] = ["from and to (UTC, ISO 8601, from < to) are required; format is csv or jsonl"],
            }).ExecuteAsync(http);
            return;
        }
        var id = Guid.NewGuid();
        http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
        http.Response.Headers["X-Export-Id"] = id.ToString();
        http.Response.Headers.ContentDisposition =
            $"attachment; filename=\"reviewflow-audit-{from.Value.UtcDateTime:yyyyMMddTHHmmssZ}-{to.Value.UtcDateTime:yyyyMMddTHHmmssZ}.{format}\"";
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseBodyFeature>()?.DisableBuffering();
        await exporter.WriteAsync(http.Response.Body, id, format, from.Value, to.Value, http.User.UserId(), ct);
    }

    static async Task<Results<Ok<ExportManifest>, NotFound>> ManifestAsync(Guid exportId, AuditExporter exporter, CancellationToken ct) =>
        await exporter.ManifestAsync(exportId, ct) is { } manifest ? TypedResults.Ok(manifest) : TypedResults.NotFound();

    static async Task<Results<Ok<T>, ValidationProblem>> Period<T>(DateTimeOffset? from, DateTimeOffset? to, Func<DateTimeOffset, DateTimeOffset, Task<T>> report)
    {
        if (from is null || to is null || from >= to)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["period"] = ["from and to (UTC, ISO 8601, from < to) are required"] });
        return TypedResults.Ok(await report(from.Value.ToUniversalTime(), to.Value.ToUniversalTime()));
    }
}

/// <summary>GET /api/v1/audit/verify: "intact" or "mismatch" with every finding (FirstMismatch kept for older clients).</summary>
public sealed record DocumentVerification(string DocumentId, string Status, int EventsChecked, string? HeadHash, ChainFinding? FirstMismatch,
    IReadOnlyList<ChainFinding> Mismatches, CheckedAgainst Checkpoint);

/// <summary>The signed checkpoints the document was checked against, and the version of it the latest one covers.</summary>
public sealed record CheckedAgainst(string Source, long? LatestNumber, DateTimeOffset? LatestTakenAt, long? Version);
