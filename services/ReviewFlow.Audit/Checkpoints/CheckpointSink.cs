using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ReviewFlow.Audit.Decisions;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>
/// The append-only copy outside the database (Audit:CheckpointSink, a directory): one file per checkpoint,
/// "{schema}-{number}.json", created once and never rewritten. In production the directory is a mount of object storage
/// with a retention lock (S3 Object Lock in compliance mode, Azure immutable blobs), docs/operations.md.
/// </summary>
public sealed class CheckpointSink(IOptions<AuditOptions> options, AuditDatabase db)
{
    // Files never change once written: each is parsed once per process.
    readonly ConcurrentDictionary<string, SignedCheckpoint> _read = new();

    public string? Directory => options.Value.CheckpointSink is { Length: > 0 } d ? d : null;

    string PathOf(long number) => Path.Combine(Directory!, $"{db.Schema}-{number:D12}.json");

    /// <summary>Writes the checkpoint unless that file exists already with the same content (a retry); different content is an error.</summary>
    public async Task WriteAsync(SignedCheckpoint checkpoint, CancellationToken ct)
    {
        if (Directory is null) return;
        System.IO.Directory.CreateDirectory(Directory);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(checkpoint, AuditJson.Options);
        var path = PathOf(checkpoint.Number);
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            await file.WriteAsync(bytes, ct);
            await file.FlushAsync(ct);
        }
        catch (IOException) when (File.Exists(path))
        {
            var existing = JsonSerializer.Deserialize<SignedCheckpoint>(await File.ReadAllBytesAsync(path, ct), AuditJson.Options);
            if (existing?.Payload != checkpoint.Payload)
                throw new InvalidOperationException($"The sink already holds a different checkpoint #{checkpoint.Number} ({path}).");
        }
    }

    public bool Has(long number) => Directory is not null && File.Exists(PathOf(number));

    /// <summary>Every checkpoint of this schema in the sink (none when no sink is configured).</summary>
    public async Task<IReadOnlyList<SignedCheckpoint>> ReadAllAsync(CancellationToken ct)
    {
        if (Directory is null || !System.IO.Directory.Exists(Directory)) return [];
        var all = new List<SignedCheckpoint>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, $"{db.Schema}-*.json"))
        {
            if (!_read.TryGetValue(path, out var checkpoint))
            {
                checkpoint = JsonSerializer.Deserialize<SignedCheckpoint>(await File.ReadAllBytesAsync(path, ct), AuditJson.Options)
                    ?? throw new FormatException($"{path} is not a checkpoint");
                _read[path] = checkpoint;
            }
            all.Add(checkpoint);
        }
        return all;
    }
}
