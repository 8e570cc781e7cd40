using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ReviewFlow.Audit.Decisions;

/// <summary>Search filters; times in UTC. Outcome: auto, confirmed, corrected or rejected.</summary>
public sealed record DecisionFilter(
    DateTimeOffset? From = null, DateTimeOffset? To = null, string? Reviewer = null, string? DocumentType = null,
    string? PredictedLabel = null, string? FinalLabel = null, string? Outcome = null, int? PolicyVersion = null,
    string? ModelVersion = null, bool? SlaBreached = null);

public sealed record DecisionPage(IReadOnlyList<DecisionRecord> Items, string? Next);

/// <summary>
/// Keyset search over the DecisionRecord table, newest decision first: the cursor is the last row's (decided_at, id),
/// so page 10,000 costs what page 1 costs. Each searched field is a duplicated, indexed column: PostgreSQL walks the
/// decided_at index backwards filtering common values, or takes the field's own index for rare ones (EXPLAIN output
/// in docs/performance.md).
/// </summary>
public sealed class DecisionSearch(AuditDatabase db)
{
    public const string Table = "mt_doc_audit_decision";

    public Task<DecisionPage> SearchAsync(DecisionFilter f, string? after, int pageSize, CancellationToken ct) =>
        db.ReadAsync(ct => PageAsync(f, after, pageSize, ct), ct);

    async Task<DecisionPage> PageAsync(DecisionFilter f, string? after, int pageSize, CancellationToken ct)
    {
        var items = new List<DecisionRecord>();
        var keys = new List<DateTime>();
        await using var command = Command(f, after, pageSize, "");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(JsonSerializer.Deserialize<DecisionRecord>(reader.GetString(0), AuditJson.Options)!);
            keys.Add(reader.GetDateTime(1));
        }
        string? next = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(pageSize);
            next = EncodeCursor(new DateTimeOffset(keys[pageSize - 1], TimeSpan.Zero), items[^1].Id);
        }
        return new DecisionPage(items, next);
    }

    /// <summary>EXPLAIN ANALYZE of the search a filter runs: the proof that it stays on its indexes (docs/performance.md).</summary>
    public Task<string> ExplainAsync(DecisionFilter f, string? after, int pageSize, CancellationToken ct) =>
        db.ReadAsync(async ct =>
        {
            await using var command = Command(f, after, pageSize, "EXPLAIN (ANALYZE, BUFFERS) ");
            await using var reader = await command.ExecuteReaderAsync(ct);
            var plan = new StringBuilder();
            while (await reader.ReadAsync(ct)) plan.AppendLine(reader.GetString(0));
            return plan.ToString();
        }, ct);

    NpgsqlCommand Command(DecisionFilter f, string? after, int pageSize, string prefix)
    {
        var (where, parameters) = Where(f);
        if (DecodeCursor(after) is { } cursor)
        {
            where.Append(" AND (decided_at, id) < ($").Append(parameters.Count + 1).Append(", $").Append(parameters.Count + 2).Append(')');
            parameters.Add(cursor.At.UtcDateTime);
            parameters.Add(cursor.Id);
        }
        // The cursor comes from the column (microseconds, as compared), not from the JSON (100 ns ticks).
        var command = db.DataSource.CreateCommand(
            $"{prefix}SELECT data, decided_at FROM {db.Schema}.{Table} WHERE {where} ORDER BY decided_at DESC, id DESC LIMIT {pageSize + 1}");
        foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
        return command;
    }

    static (StringBuilder Where, List<object> Parameters) Where(DecisionFilter f)
    {
        var where = new StringBuilder("decided_at IS NOT NULL");
        var parameters = new List<object>();
        void Add(string column, string op, object? value)
        {
            if (value is null) return;
            parameters.Add(value);
            where.Append(" AND ").Append(column).Append(' ').Append(op).Append(" $").Append(parameters.Count);
        }
        Add("decided_at", ">=", f.From?.UtcDateTime);
        Add("decided_at", "<", f.To?.UtcDateTime);
        Add("decided_by", "=", f.Reviewer);
        Add("document_type", "=", f.DocumentType);
        Add("predicted_label", "=", f.PredictedLabel);
        Add("final_label", "=", f.FinalLabel);
        Add("outcome", "=", f.Outcome);
        Add("policy_version", "=", f.PolicyVersion);
        Add("model_version", "=", f.ModelVersion);
        Add("sla_breached", "=", f.SlaBreached);
        return (where, parameters);
    }

    static string EncodeCursor(DateTimeOffset at, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(at.UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" + id))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static (DateTimeOffset At, string Id)? DecodeCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var bar = text.IndexOf('|');
            return (new DateTimeOffset(long.Parse(text[..bar], CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new BadCursorException();
        }
    }
}

public sealed class BadCursorException() : Exception("the paging cursor is not one this API gave out");

/// <summary>The JSON settings Marten stores documents with (camelCase, enums as strings).</summary>
public static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
