using System.Text.Json;
using Marten;
using Npgsql;
using ReviewFlow.Audit.Decisions;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.Audit.Reports;

/// <summary>
/// Rejected: human decisions that refused the model's label without another (an override too). Rate: corrected and
/// rejected over decided. A row with a FinalLabel is a label-to-label count ("(rejected)" for rejections), not a total.
/// </summary>
public sealed record OverrideRow(string Key, string? FinalLabel, long Decided, long Corrected, double Rate, long Rejected = 0);
public sealed record OverrideReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<OverrideRow> ByLabel, IReadOnlyList<OverrideRow> ByReviewer);
public sealed record SlaBreachRow(string DocumentId, string? DocumentType, string? ReviewerGroup, DateTimeOffset? DueAt,
    DateTimeOffset? BreachedAt, string? Outcome, string? DecidedBy, DateTimeOffset? DecidedAt);
public sealed record SodViolation(string DocumentId, string Rule, string User, DateTimeOffset? DecidedAt);
public sealed record SodReport(DateTimeOffset From, DateTimeOffset To, long FourEyesDecisions, long FourEyesWithTwoPeople,
    long HttpSubmittedDecided, IReadOnlyList<SodViolation> Violations);
public sealed record PolicyChange(string Path, string? Before, string? After);
public sealed record PolicyVersionRow(int Version, string ChangedBy, DateTimeOffset At, string Reason, IReadOnlyList<PolicyChange> Changes,
    long RoutedAuto, long RoutedReview);

/// <summary>The auditor's reports, computed in SQL over the DecisionRecord table (and the policy's stream).</summary>
public sealed class AuditReports(AuditDatabase db, IDocumentStore store)
{
    string T => $"{db.Schema}.{DecisionSearch.Table}";

    /// <summary>
    /// Human decisions in the period, and how many overrode the model (corrected or rejected): per predicted label, what
    /// each label became (corrections per final label, rejections as "(rejected)"), and per reviewer.
    /// </summary>
    public async Task<OverrideReport> OverridesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        const string human = "outcome IN ('confirmed', 'corrected', 'rejected')";
        const string counts = "count(*) FILTER (WHERE outcome = 'corrected'), count(*) FILTER (WHERE outcome = 'rejected')";
        var byLabel = await RowsAsync($"""
            SELECT predicted_label, NULL, count(*) FILTER (WHERE {human}), {counts}
              FROM {T} WHERE decided_at >= $1 AND decided_at < $2 AND {human}
             GROUP BY predicted_label ORDER BY count(*) FILTER (WHERE outcome IN ('corrected', 'rejected')) DESC, 1
            """, from, to, ct);
        var byLabelPair = await RowsAsync($"""
            SELECT predicted_label, CASE WHEN outcome = 'rejected' THEN '(rejected)' ELSE final_label END AS became, count(*), {counts}
              FROM {T} WHERE decided_at >= $1 AND decided_at < $2 AND outcome IN ('corrected', 'rejected')
             GROUP BY predicted_label, became ORDER BY 3 DESC, 1, 2
            """, from, to, ct);
        var byReviewer = await RowsAsync($"""
            SELECT decided_by, NULL, count(*), {counts}
              FROM {T} WHERE decided_at >= $1 AND decided_at < $2 AND {human}
             GROUP BY decided_by ORDER BY count(*) FILTER (WHERE outcome IN ('corrected', 'rejected')) DESC, 1
            """, from, to, ct);
        return new OverrideReport(from, to, [.. byLabel, .. byLabelPair], byReviewer);
    }

    async Task<List<OverrideRow>> RowsAsync(string sql, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = new List<OverrideRow>();
        await using var reader = await ReaderAsync(sql, ct, from, to);
        while (await reader.ReadAsync(ct))
        {
            long decided = reader.GetInt64(2), corrected = reader.GetInt64(3), rejected = reader.GetInt64(4);
            rows.Add(new OverrideRow(reader.IsDBNull(0) ? "" : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                decided, corrected, decided == 0 ? 0 : Math.Round((double)(corrected + rejected) / decided, 4), rejected));
        }
        return rows;
    }

    /// <summary>Documents whose SLA was breached in the period, decided since or still open.</summary>
    public async Task<IReadOnlyList<SlaBreachRow>> SlaBreachesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = new List<SlaBreachRow>();
        await using var reader = await ReaderAsync($"""
            SELECT data FROM {T}
             WHERE sla_breached AND (data->>'slaBreachedAt')::timestamptz >= $1 AND (data->>'slaBreachedAt')::timestamptz < $2
             ORDER BY (data->>'slaBreachedAt')::timestamptz, id
            """, ct, from, to);
        while (await reader.ReadAsync(ct))
        {
            var r = JsonSerializer.Deserialize<DecisionRecord>(reader.GetString(0), AuditJson.Options)!;
            rows.Add(new SlaBreachRow(r.Id, r.DocumentType, r.ReviewerGroup, r.SlaDueAt, r.SlaBreachedAt, r.Outcome, r.DecidedBy, r.DecidedAt));
        }
        return rows;
    }

    /// <summary>
    /// Segregation of duties over the decisions of the period: every four-eyes decision needs two different people
    /// (first reviewer and decider), and nobody may decide or first-review what they submitted (the HTTP intake
    /// records the submitter; AMQP publishers are systems, not people).
    /// </summary>
    public async Task<SodReport> SegregationAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        long fourEyes = 0, twoPeople = 0, submitted = 0;
        await using (var reader = await ReaderAsync($"""
            SELECT count(*) FILTER (WHERE (data->>'fourEyes')::boolean AND outcome <> 'auto'),
                   count(*) FILTER (WHERE (data->>'fourEyes')::boolean AND outcome <> 'auto'
                                     AND data->>'firstReviewerId' IS NOT NULL AND data->>'firstReviewerId' <> decided_by),
                   count(*) FILTER (WHERE data->>'submittedBy' IS NOT NULL AND outcome <> 'auto')
              FROM {T} WHERE decided_at >= $1 AND decided_at < $2
            """, ct, from, to))
        {
            await reader.ReadAsync(ct);
            (fourEyes, twoPeople, submitted) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
        }
        var violations = new List<SodViolation>();
        await using (var reader = await ReaderAsync($"""
            SELECT id, 'four-eyes-by-one-person', decided_by, decided_at FROM {T}
             WHERE decided_at >= $1 AND decided_at < $2 AND (data->>'fourEyes')::boolean AND outcome <> 'auto'
               AND (data->>'firstReviewerId' IS NULL OR data->>'firstReviewerId' = decided_by)
            UNION ALL
            SELECT id, 'decided-own-submission', decided_by, decided_at FROM {T}
             WHERE decided_at >= $1 AND decided_at < $2 AND outcome <> 'auto' AND data->>'submittedBy' = decided_by
            UNION ALL
            SELECT id, 'first-review-own-submission', data->>'firstReviewerId', decided_at FROM {T}
             WHERE decided_at >= $1 AND decided_at < $2 AND outcome <> 'auto' AND data->>'submittedBy' = data->>'firstReviewerId'
            ORDER BY 4, 1, 2
            """, ct, from, to))
        {
            while (await reader.ReadAsync(ct))
                violations.Add(new SodViolation(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                    new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero)));
        }
        return new SodReport(from, to, fourEyes, twoPeople, submitted, violations);
    }

    /// <summary>Each policy version: who adopted it, when, why, what changed against the previous one, and how documents were routed under it.</summary>
    public async Task<IReadOnlyList<PolicyVersionRow>> PolicyHistoryAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(MartenRoutingPolicySource.StreamKey, token: ct);
        var routed = new Dictionary<(int, string), long>();
        await using (var reader = await ReaderAsync($"""
            SELECT policy_version, data->>'route', count(*) FROM {T} WHERE policy_version IS NOT NULL GROUP BY 1, 2
            """, ct))
        {
            while (await reader.ReadAsync(ct))
                if (!reader.IsDBNull(1)) routed[(reader.GetInt32(0), reader.GetString(1))] = reader.GetInt64(2);
        }
        var rows = new List<PolicyVersionRow>();
        IReadOnlyDictionary<string, string> previous = new Dictionary<string, string>();
        foreach (var adopted in events.Select(e => e.Data).OfType<RoutingPolicyAdopted>())
        {
            var current = Flatten(adopted.Policy);
            var changes = current.Keys.Union(previous.Keys).Order(StringComparer.Ordinal)
                .Where(k => k != "version" && previous.GetValueOrDefault(k) != current.GetValueOrDefault(k))
                .Select(k => new PolicyChange(k, previous.GetValueOrDefault(k), current.GetValueOrDefault(k))).ToList();
            var v = adopted.Policy.Version;
            rows.Add(new PolicyVersionRow(v, adopted.ChangedBy, adopted.At, adopted.Reason, changes,
                routed.GetValueOrDefault((v, "auto")), routed.GetValueOrDefault((v, "review"))));
            previous = current;
        }
        return rows;
    }

    /// <summary>The policy as "path = value" pairs (documentTypes.invoice.threshold = 0.9), for a readable diff.</summary>
    public static IReadOnlyDictionary<string, string> Flatten(RoutingPolicy policy)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string path)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var p in e.EnumerateObject()) Walk(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name);
                    break;
                case JsonValueKind.Array:
                    result[path] = string.Join(", ", e.EnumerateArray().Select(x => x.ToString()));
                    break;
                case JsonValueKind.Null:
                    break;
                default:
                    result[path] = e.ToString();
                    break;
            }
        }
        Walk(JsonSerializer.SerializeToElement(policy, AuditJson.Options), "");
        return result;
    }

    Task<NpgsqlDataReader> ReaderAsync(string sql, CancellationToken ct, params object[] parameters) =>
        db.ReadAsync(async ct =>
        {
            var command = db.DataSource.CreateCommand(sql);
            foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p is DateTimeOffset d ? d.UtcDateTime : p });
            return await command.ExecuteReaderAsync(System.Data.CommandBehavior.CloseConnection, ct);
        }, ct);
}
