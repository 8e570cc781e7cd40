using Hangfire;
using Marten;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Quality;

/// <summary>
/// The quality loop: how good the model is as humans saw it. The worker counts decisions (<see cref="QualityCounter"/>);
/// the web host answers from the counts (Admin, Supervisor, Auditor).
/// </summary>
public static class QualitySlice
{
    /// <summary>Both hosts: the counts' table (created with Marten's objects), and the summaries read from it.</summary>
    public static IHostApplicationBuilder AddQuality(this IHostApplicationBuilder builder)
    {
        var schema = EventStore.Schema(builder.Configuration);
        builder.Services.ConfigureMarten(opts =>
        {
            opts.Storage.ExtendedSchemaObjects.Add(QualityCounter.Definition(schema));
            opts.Storage.ExtendedSchemaObjects.Add(QualityCounter.LabelsDefinition(schema));
            opts.Storage.ExtendedSchemaObjects.Add(QualityCounter.HoursDefinition(schema));
            foreach (var type in QualityAlertLog.EventTypes) opts.Events.AddEventType(type);
            opts.Events.AddEventType<TrainingDataExported>();
            opts.Events.AddEventType<QaCheckRequested>();
            opts.Events.AddEventType<QaCheckRecorded>();
            opts.Schema.For<QaCheck>().DocumentAlias("qa_check").Index(c => c.ReviewerGroup);
        });
        builder.Services.AddSingleton<QualityStore>();
        builder.Services.AddSingleton<QualitySummaries>();
        return builder;
    }

    /// <summary>The worker: counts each decision once, as it is committed, and checks the quality alarms (section Quality).</summary>
    public static IHostApplicationBuilder AddQualityCounting(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<QualityOptions>(builder.Configuration.GetSection("Quality"));
        builder.Services.AddTransient<QualityAlarmJob>();
        builder.Services.AddRecurringJob(QualityAlarmJob.JobId, (sp, recurring) => recurring.AddOrUpdate<QualityAlarmJob>(QualityAlarmJob.JobId,
            j => j.EvaluateAsync(CancellationToken.None), sp.GetRequiredService<IOptions<QualityOptions>>().Value.AlarmCron));
        return builder.AddEventSubscription<QualityCounter>().AddEventSubscription<QaCheckSampler>();
    }

    public static IEndpointRouteBuilder MapQuality(this IEndpointRouteBuilder app)
    {
        var quality = app.MapGroup("/api/v1/quality").WithTags("Quality")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Supervisor, Roles.Auditor));
        quality.MapGet("/summary", SummaryAsync).WithSummary("Review outcomes and error rates of a period, by type, label and model version");
        quality.MapGet("/series", SeriesAsync).WithSummary("The same figures as a daily series");
        quality.MapGet("/confusion", ConfusionAsync).WithSummary("Predicted against final labels (the confusion matrix)");
        quality.MapGet("/alerts", AlertsAsync).WithSummary("Quality alarms (open ones, or all)");
        quality.MapGet("/versions", VersionsAsync).WithSummary("Model versions of a document type compared");
        app.MapQaChecks();
        app.MapGet("/api/v1/quality/reviewers", ReviewersAsync).WithTags("Quality")
            .RequireAuthorization(p => p.RequireRole(Roles.Supervisor)).WithSummary("Each reviewer's figures in the supervisor's groups");
        app.MapGet("/api/v1/quality/training-data", TrainingDataAsync).WithTags("Quality")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .Produces(StatusCodes.Status200OK, typeof(Stream), "application/x-ndjson").ProducesValidationProblem()
            .WithSummary("Human-decided documents of a period as JSON lines, for retraining (the export is recorded)");
        app.MapPost("/api/v1/admin/routing-policy/what-if", WhatIfAsync).WithTags("Admin")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithSummary("What other thresholds would have routed, over a past period");
        app.MapGet("/api/v1/admin/routing-policy/suggestion", SuggestionAsync).WithTags("Admin")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin)).WithSummary("Thresholds that would keep a target error rate");
        return app;
    }

    /// <summary>How the reviewers of the caller's groups work (supervisors only); default the last 30 days.</summary>
    static async Task<Results<Ok<IReadOnlyList<GroupReviewerFigures>>, ValidationProblem>> ReviewersAsync(DateTimeOffset? from, DateTimeOffset? to,
        System.Security.Claims.ClaimsPrincipal user, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        return TypedResults.Ok(await ReviewerStats.ReadAsync(store, user.Groups(), start, end, ct));
    }

    /// <summary>JSON Lines of the period's human decisions (default the last 30 days), the export recorded first.</summary>
    static async Task<IResult> TrainingDataAsync(string? documentType, string? modelVersion, DateTimeOffset? from, DateTimeOffset? to,
        System.Security.Claims.ClaimsPrincipal user, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        return await TrainingData.ExportAsync(Blank(documentType), Blank(modelVersion), start, end, user, store, clock, ct);
    }

    /// <summary>Open alerts, newest first (all=true: the cleared ones too).</summary>
    static async Task<Ok<IReadOnlyList<QualityAlert>>> AlertsAsync(bool? all, IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var (alerts, _) = await QualityAlertLog.ReadAsync(session, ct);
        return TypedResults.Ok<IReadOnlyList<QualityAlert>>(all == true ? alerts : alerts.Where(a => a.Open).ToList());
    }

    /// <summary>By UTC day and model version; default the last 30 days.</summary>
    static async Task<Results<Ok<QualitySeries>, ValidationProblem>> SeriesAsync(string? documentType, string? label, string? modelVersion,
        DateTimeOffset? from, DateTimeOffset? to, QualitySummaries summaries, MartenRoutingPolicySource policies, TimeProvider clock,
        CancellationToken ct)
    {
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        var filter = new QualityFilter(Blank(documentType), Blank(label), Blank(modelVersion), start, end);
        return TypedResults.Ok(await summaries.SeriesAsync(filter, ct, await PinnedAsync(filter, policies, ct)));
    }

    /// <summary>Model versions side by side for one document type (required); default the last 30 days.</summary>
    static async Task<Results<Ok<IReadOnlyList<VersionSummary>>, ValidationProblem>> VersionsAsync(string? documentType,
        DateTimeOffset? from, DateTimeOffset? to, QualitySummaries summaries, TimeProvider clock, CancellationToken ct)
    {
        if (Blank(documentType) is not { } type)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["documentType"] = ["is required: versions are compared within a type"] });
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        return TypedResults.Ok(await summaries.VersionsAsync(new QualityFilter(type, null, null, start, end), ct));
    }

    /// <summary>Human decisions by predicted and final label; default the last 30 days.</summary>
    static async Task<Results<Ok<ConfusionMatrix>, ValidationProblem>> ConfusionAsync(string? documentType, string? modelVersion,
        DateTimeOffset? from, DateTimeOffset? to, QualityStore counts, TimeProvider clock, CancellationToken ct)
    {
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        var filter = new QualityFilter(Blank(documentType), null, Blank(modelVersion), start, end);
        return TypedResults.Ok(new ConfusionMatrix(filter, await counts.ConfusionAsync(filter, ct)));
    }

    public sealed record ConfusionMatrix(QualityFilter Filter, IReadOnlyList<ConfusionCell> Cells);

    /// <summary>The reference window an admin pinned for the filter's document type, if any.</summary>
    static async Task<(DateTimeOffset, DateTimeOffset)?> PinnedAsync(QualityFilter filter, MartenRoutingPolicySource policies, CancellationToken ct) =>
        filter.DocumentType is { } type && await policies.LatestAsync(ct) is { } policy
            ? policy.DocumentTypes.GetValueOrDefault(type)?.Alarms.PinnedReference()
            : null;

    /// <summary>Per type (and label, with enough evidence) the lowest threshold the period's human decisions support.</summary>
    static async Task<Results<Ok<IReadOnlyList<Suggestion>>, ValidationProblem>> SuggestionAsync(double? targetErrorRate,
        DateTimeOffset? from, DateTimeOffset? to, QualityStore counts, TimeProvider clock, CancellationToken ct)
    {
        if (targetErrorRate is not { } target || target is <= 0 or >= 1)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["targetErrorRate"] = ["is required, between 0 and 1 (e.g. 0.02)"] });
        if (Period(from, to, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        return TypedResults.Ok(ThresholdSuggestions.Suggest(await counts.CountsAsync(start, end, ct), target));
    }

    /// <summary>The proposed policy replayed over the period's decisions (default the last 30 days) beside the active one.</summary>
    static async Task<Results<Ok<WhatIfAnswer>, ValidationProblem>> WhatIfAsync(WhatIfRequest body, QualityStore counts,
        MartenRoutingPolicySource policies, TimeProvider clock, CancellationToken ct)
    {
        if (body.Policy is not { DocumentTypes.Count: > 0 } proposed)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["policy"] = ["is required, with its document types"] });
        if (Period(body.From, body.To, TimeSpan.FromDays(30), clock) is not (var start, var end)) return FromAfterTo();
        var active = await policies.LatestAsync(ct) ?? throw new NoRoutingPolicyException();
        var rows = PolicyWhatIf.Evaluate(active, proposed, await counts.CountsAsync(start, end, ct));
        return TypedResults.Ok(new WhatIfAnswer(start, end, active.Version, rows));
    }

    /// <summary>Period [from, to), UTC, by the day (a partial day counts whole); default the last 7 days.</summary>
    static async Task<Results<Ok<QualitySummary>, ValidationProblem>> SummaryAsync(string? documentType, string? label, string? modelVersion,
        DateTimeOffset? from, DateTimeOffset? to, QualitySummaries summaries, MartenRoutingPolicySource policies, TimeProvider clock,
        CancellationToken ct)
    {
        if (Period(from, to, QualitySummaries.ReferenceDays, clock) is not (var start, var end)) return FromAfterTo();
        var filter = new QualityFilter(Blank(documentType), Blank(label), Blank(modelVersion), start, end);
        return TypedResults.Ok(await summaries.SummarizeAsync(filter, ct, await PinnedAsync(filter, policies, ct)));
    }

    public sealed record WhatIfRequest(RoutingPolicy? Policy, DateTimeOffset? From, DateTimeOffset? To);

    public sealed record WhatIfAnswer(DateTimeOffset From, DateTimeOffset To, int ActiveVersion, IReadOnlyList<WhatIfRow> Rows);

    /// <summary>
    /// The period [from, to) in UTC: to defaults to now, from to <paramref name="length"/> before it, and starts at the midnight
    /// of its day (the counts are by day); null when it is empty.
    /// </summary>
    static (DateTimeOffset Start, DateTimeOffset End)? Period(DateTimeOffset? from, DateTimeOffset? to, TimeSpan length, TimeProvider clock)
    {
        var end = (to ?? clock.GetUtcNow()).ToUniversalTime();
        var start = new DateTimeOffset((from ?? end - length).UtcDateTime.Date, TimeSpan.Zero);
        return start < end ? (start, end) : null;
    }

    static ValidationProblem FromAfterTo() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["must be before to"] });

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

