using System.Security.Claims;
using System.Text.Json;
using Marten;
using Npgsql;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Quality;

/// <summary>An admin exported training data (stream $quality-exports): who, which slice, when. Recorded before the first line is sent.</summary>
public sealed record TrainingDataExported(Guid ExportId, string RequestedBy, string? DocumentType, string? ModelVersion,
    DateTimeOffset From, DateTimeOffset To, string Actor, DateTimeOffset At);

/// <summary>
/// GET /api/v1/quality/training-data: the human-decided documents of a period as JSON Lines, for retraining — read from the
/// event store in one forward pass and written as read (constant memory, however many), each line the document's
/// classification beside what people decided. Who decided is left out: training data needs the answer, not the person.
/// </summary>
public static class TrainingData
{
    public const string StreamKey = "$quality-exports";
    static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    public static async Task<IResult> ExportAsync(string? documentType, string? modelVersion, DateTimeOffset from, DateTimeOffset to,
        ClaimsPrincipal user, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        await using (var session = store.LightweightSession())
        {
            session.Events.Append(StreamKey, new TrainingDataExported(Guid.CreateVersion7(), user.UserId(), documentType, modelVersion, from, to,
                user.UserId(), clock.GetUtcNow()));
            await session.SaveChangesAsync(ct);
        }
        var name = $"training-data-{from:yyyyMMdd}-{to:yyyyMMdd}.jsonl";
        return Results.Stream(body => WriteAsync(body, store, documentType, modelVersion, from, to, ct), "application/x-ndjson", name);
    }

    static async Task WriteAsync(Stream body, IDocumentStore store, string? documentType, string? modelVersion, DateTimeOffset from,
        DateTimeOffset to, CancellationToken ct)
    {
        var s = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            select r.data->>'documentId', r.data->>'documentType', c.data->'classification'->>'excerpt',
                   c.data->'classification'->>'contentUri', r.data->>'predictedLabel', r.data->>'finalLabel', (r.data->>'confidence')::float8,
                   r.data->>'modelVersion', r.data->>'outcome',
                   exists (select 1 from {s}.mt_events f where f.stream_id = r.stream_id and f.type = 'first_review_recorded'),
                   exists (select 1 from {s}.mt_events d where d.stream_id = r.stream_id and d.type = 'review_disagreed'),
                   r.data->>'decidedAt'
            from {s}.mt_events r
            left join lateral (select e.data from {s}.mt_events e
                               where e.stream_id = r.stream_id and e.type = 'classification_received' order by e.version limit 1) c on true
            where r.type = 'document_routed' and r.data->>'outcome' <> 'auto' and r.timestamp >= @from and r.timestamp < @to
              and (@type::text is null or r.data->>'documentType' = @type) and (@model::text is null or r.data->>'modelVersion' = @model)
            order by r.seq_id
            """, connection);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        cmd.Parameters.Add(new NpgsqlParameter("type", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)documentType ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("model", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)modelVersion ?? DBNull.Value });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await using var json = new Utf8JsonWriter(body);
        var rows = 0;
        while (await reader.ReadAsync(ct))
        {
            json.WriteStartObject();
            json.WriteString("documentId", reader.GetString(0));
            json.WriteString("documentType", reader.GetString(1));
            json.WriteString("excerpt", reader.IsDBNull(2) ? null : reader.GetString(2));
            json.WriteString("contentUri", reader.IsDBNull(3) ? null : reader.GetString(3));
            json.WriteString("predictedLabel", reader.GetString(4));
            json.WriteString("finalLabel", reader.GetString(5));
            json.WriteNumber("confidence", reader.GetDouble(6));
            json.WriteString("modelVersion", reader.GetString(7));
            json.WriteString("outcome", reader.GetString(8));
            // Four-eyes documents: whether the two reviewers agreed; null for a single review.
            if (reader.GetBoolean(9)) json.WriteBoolean("reviewersAgreed", !reader.GetBoolean(10));
            else json.WriteNull("reviewersAgreed");
            json.WriteString("decidedAt", reader.GetString(11));
            json.WriteEndObject();
            await json.FlushAsync(ct);
            json.Reset();
            await body.WriteAsync(NewLine, ct);
            if (++rows % 500 == 0) await body.FlushAsync(ct);
        }
        await body.FlushAsync(ct);
    }
}
