using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace ReviewFlow.Audit.Export;

/// <summary>
/// What proves an export later: the period, the rows, the SHA-256 of exactly the bytes sent, and the chain heads it
/// covers (per stream, the last event of the period: count and a digest over "stream\tversion\thash\n" lines sorted by
/// stream, the same lines anyone can rebuild from the file's own rows).
/// </summary>
public sealed record ExportManifest(
    Guid ExportId, string Format, DateTimeOffset From, DateTimeOffset To, long Rows, long Bytes, string Sha256,
    long HeadCount, string HeadsDigest, long? LastSeqId, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>
/// Streams one row per event of a period (recorded time, UTC, [from, to)) straight from PostgreSQL to the response:
/// a sequential reader, a small write buffer, the hash computed as bytes go out — constant memory for any size. The
/// manifest is stored (table rf_audit_export) once the last byte was written.
/// </summary>
public sealed class AuditExporter(AuditDatabase db, TimeProvider clock)
{
    public static readonly string[] Columns = ["seq_id", "document_id", "version", "type", "recorded_at", "event_id", "actor", "prev_hash", "hash", "data"];

    public async Task<ExportManifest> WriteAsync(Stream body, Guid exportId, string format, DateTimeOffset from, DateTimeOffset to,
        string user, CancellationToken ct)
    {
        var s = db.Schema;
        await using var connection = await db.DataSource.OpenConnectionAsync(ct);
        // One snapshot for the rows and the heads.
        await using var tx = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        await using var hashing = new HashingStream(body);
        long rows = 0, lastSeq = -1;
        await using (var command = new NpgsqlCommand($"""
            SELECT c.seq_id, c.stream_id, c.version, e.type, c.at, e.id, e.data->>'actor', c.prev_hash, c.hash, e.data::text
              FROM {s}.rf_event_chain c JOIN {s}.mt_events e ON e.seq_id = c.seq_id
             WHERE c.at >= $1 AND c.at < $2
             ORDER BY c.at, c.seq_id
            """, connection, tx))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime });
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
            var writer = format == "csv" ? (IRowWriter)new CsvRowWriter(hashing) : new JsonlRowWriter(hashing);
            while (await reader.ReadAsync(ct))
            {
                var row = new ExportRow(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                    reader.GetFieldValue<DateTime>(4), reader.GetGuid(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(7)), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(8)),
                    reader.GetString(9));
                writer.Write(row);
                rows++;
                lastSeq = Math.Max(lastSeq, row.SeqId);
                if (hashing.Pending > 64 * 1024) await hashing.FlushAsync(ct);
            }
            writer.Complete();
            await hashing.FlushAsync(ct);
        }

        var (headCount, headsDigest) = await HeadsAsync(connection, tx, from, to, ct);
        var manifest = new ExportManifest(exportId, format, from, to, rows, hashing.Length, Convert.ToHexStringLower(hashing.Hash()),
            headCount, headsDigest, lastSeq < 0 ? null : lastSeq, user, clock.GetUtcNow());
        await using (var store = new NpgsqlCommand($"INSERT INTO {s}.rf_audit_export (id, created_by, manifest) VALUES ($1, $2, $3::jsonb)", connection, tx))
        {
            store.Parameters.Add(new NpgsqlParameter { Value = exportId });
            store.Parameters.Add(new NpgsqlParameter { Value = user });
            store.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(manifest, Decisions.AuditJson.Options) });
            await store.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return manifest;
    }

    public Task<ExportManifest?> ManifestAsync(Guid exportId, CancellationToken ct) =>
        db.ReadAsync(async ct =>
        {
            await using var command = db.DataSource.CreateCommand($"SELECT manifest::text FROM {db.Schema}.rf_audit_export WHERE id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = exportId });
            return await command.ExecuteScalarAsync(ct) is string json
                ? JsonSerializer.Deserialize<ExportManifest>(json, Decisions.AuditJson.Options)
                : null;
        }, ct);

    /// <summary>The heads digest over lines "stream\tversion\thash\n", sorted by stream (ordinal): rebuildable from the export's rows.</summary>
    public static string HeadsDigest(IEnumerable<(string Stream, long Version, string Hash)> heads)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (stream, version, hash) in heads) sha.AppendData(HeadLine(stream, version, hash));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    static byte[] HeadLine(string stream, long version, string hash) =>
        Encoding.UTF8.GetBytes($"{stream}\t{version.ToString(CultureInfo.InvariantCulture)}\t{hash}\n");

    async Task<(long Count, string Digest)> HeadsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, DateTimeOffset from,
        DateTimeOffset to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT DISTINCT ON (stream_id COLLATE "C") stream_id, version, hash
              FROM {db.Schema}.rf_event_chain WHERE at >= $1 AND at < $2
             ORDER BY stream_id COLLATE "C", version DESC
            """, connection, tx);
        command.Parameters.Add(new NpgsqlParameter { Value = from.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = to.UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long count = 0;
        while (await reader.ReadAsync(ct))
        {
            sha.AppendData(HeadLine(reader.GetString(0), reader.GetInt64(1), Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(2))));
            count++;
        }
        return (count, Convert.ToHexStringLower(sha.GetHashAndReset()));
    }
}

public sealed record ExportRow(long SeqId, string DocumentId, long Version, string Type, DateTime RecordedAt, Guid EventId,
    string? Actor, string PrevHash, string Hash, string Data);

interface IRowWriter
{
    void Write(ExportRow row);
    void Complete();
}

/// <summary>
/// RFC 4180: a header line, every field quoted when it holds a comma, quote or line break; data is the event JSON. A text
/// field that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return: an actor id comes
/// from the identity provider, not from us) is written with a leading apostrophe, quoted (OWASP's CSV injection advice).
/// </summary>
sealed class CsvRowWriter : IRowWriter
{
    readonly StreamWriter _writer;

    public CsvRowWriter(Stream stream)
    {
        _writer = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true) { NewLine = "\r\n", AutoFlush = false };
        _writer.WriteLine(string.Join(',', AuditExporter.Columns));
    }

    public void Write(ExportRow r)
    {
        _writer.Write(r.SeqId.ToString(CultureInfo.InvariantCulture)); _writer.Write(',');
        Field(r.DocumentId); _writer.Write(',');
        _writer.Write(r.Version.ToString(CultureInfo.InvariantCulture)); _writer.Write(',');
        Field(r.Type); _writer.Write(',');
        _writer.Write(r.RecordedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)); _writer.Write(',');
        _writer.Write(r.EventId.ToString()); _writer.Write(',');
        Field(r.Actor ?? ""); _writer.Write(',');
        _writer.Write(r.PrevHash); _writer.Write(',');
        _writer.Write(r.Hash); _writer.Write(',');
        Field(r.Data);
        _writer.WriteLine();
        _writer.Flush(); // into the hashing stream's buffer, which the exporter flushes to the response in 64 KiB steps
    }

    void Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        else if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) { _writer.Write(value); return; }
        _writer.Write('"');
        _writer.Write(value.Replace("\"", "\"\""));
        _writer.Write('"');
    }

    public void Complete() => _writer.Flush();
}

/// <summary>One JSON object per line; data is the event's stored JSON, embedded as it is.</summary>
sealed class JsonlRowWriter(Stream stream) : IRowWriter
{
    readonly Utf8JsonWriter _json = new(stream, new JsonWriterOptions { SkipValidation = false });
    static readonly byte[] NewLine = "\n"u8.ToArray();

    public void Write(ExportRow r)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteNumber("seqId", r.SeqId);
        _json.WriteString("documentId", r.DocumentId);
        _json.WriteNumber("version", r.Version);
        _json.WriteString("type", r.Type);
        _json.WriteString("recordedAt", r.RecordedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        _json.WriteString("eventId", r.EventId);
        _json.WriteString("actor", r.Actor);
        _json.WriteString("prevHash", r.PrevHash);
        _json.WriteString("hash", r.Hash);
        _json.WritePropertyName("data");
        _json.WriteRawValue(r.Data, skipInputValidation: true);
        _json.WriteEndObject();
        _json.Flush();
        stream.Write(NewLine);
    }

    public void Complete() => _json.Flush();
}

/// <summary>Forwards to the response, hashing and counting every byte; holds at most one flush's worth.</summary>
sealed class HashingStream(Stream inner) : Stream
{
    readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    readonly MemoryStream _buffer = new();
    long _length;

    public long Pending => _buffer.Length;
    public override long Length => _length;
    public byte[] Hash() => _sha.GetHashAndReset();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _sha.AppendData(buffer);
        _length += buffer.Length;
        _buffer.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length == 0) return;
        await inner.WriteAsync(_buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken);
        await inner.FlushAsync(cancellationToken);
        _buffer.SetLength(0);
    }

    public override void Flush() { } // synchronous flushes (the row writers') only fill the buffer
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _sha.Dispose(); _buffer.Dispose(); }
        base.Dispose(disposing);
    }
}
