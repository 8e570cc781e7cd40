using ReviewFlow.Audit.Chain;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>Where a verification's checkpoints came from and what it made of them.</summary>
public sealed record CheckpointStatus(string Source, int Checkpoints, long? LatestNumber, long? LatestLastSeqId, DateTimeOffset? LatestTakenAt,
    IReadOnlyList<string> KeyIds);

/// <summary>
/// The signed checkpoints a verification trusts, merged: for each stream its latest checkpointed head, and the latest
/// checkpoint's sequence range and event count. Only checkpoints whose signature checks against a trusted key count;
/// the others, a gap in the numbering or a Previous that does not match, are findings of their own.
/// </summary>
public sealed class CheckpointedHeads
{
    public static readonly CheckpointedHeads None = new("none", [], []);

    readonly Dictionary<string, (CheckpointHead Head, long Number)> _heads = new(StringComparer.Ordinal);
    readonly List<ChainFinding> _findings = [];
    readonly Dictionary<long, long> _direct = [];

    public CheckpointStatus Status { get; }
    public CheckpointBody? Latest { get; }
    public IReadOnlyList<ChainFinding> Findings => _findings;
    public IReadOnlyCollection<string> Streams => _heads.Keys;

    CheckpointedHeads(string source, IReadOnlyList<CheckpointBody> bodies, IReadOnlyList<string> keyIds)
    {
        foreach (var body in bodies)
        {
            foreach (var head in body.Heads) _heads[head.StreamId] = (head, body.Number);
            foreach (var seq in body.DirectSeqIds ?? []) _direct[seq] = body.Number;
        }
        Latest = bodies.Count > 0 ? bodies[^1] : null;
        Status = new CheckpointStatus(source, bodies.Count, Latest?.Number, Latest?.LastSeqId, Latest?.TakenAt, keyIds);
    }

    /// <summary>Checks and merges <paramref name="checkpoints"/> (any order) for <paramref name="schema"/>; source says where they came from.</summary>
    public static CheckpointedHeads From(string source, IEnumerable<SignedCheckpoint> checkpoints, CheckpointTrust trust, string schema)
    {
        var list = checkpoints.ToList();
        var problems = new List<string>();
        var bodies = new List<(CheckpointBody Body, string Digest)>();
        foreach (var c in list.OrderBy(c => c.Number))
        {
            if (trust.Check(c) is { } bad) { problems.Add(bad); continue; }
            var body = c.Body();
            if (body.Schema != schema) continue; // another system's checkpoint in a shared sink
            if (body.Number != c.Number || body.LastSeqId != c.LastSeqId) { problems.Add($"{c}: its envelope disagrees with its signed payload"); continue; }
            if (bodies.Count > 0 && bodies[^1].Body.Number == body.Number) continue; // the same one twice (sink and file)
            if (bodies.Count > 0 && (body.Number != bodies[^1].Body.Number + 1 || body.Previous != bodies[^1].Digest))
                problems.Add(body.Number != bodies[^1].Body.Number + 1
                    ? $"checkpoints #{bodies[^1].Body.Number + 1}–#{body.Number - 1} are missing"
                    : $"{c}: its previous checkpoint is not the #{bodies[^1].Body.Number} supplied (a checkpoint was replaced)");
            bodies.Add((body, c.Digest()));
        }
        var heads = new CheckpointedHeads(source, bodies.Select(b => b.Body).ToList(), list.Select(c => c.KeyId).Distinct().ToList());
        heads._findings.AddRange(problems.Select(p => new ChainFinding(Stream, null, null, p)));
        return heads;
    }

    /// <summary>The stream id findings about the checkpoints themselves are reported under.</summary>
    public const string Stream = "$checkpoints";

    /// <summary>The checkpoint that recorded event <paramref name="seq"/> as a direct insert, if one did.</summary>
    public long? RecordedDirect(long seq) => _direct.TryGetValue(seq, out var number) ? number : null;

    /// <summary>The stream's head in the latest checkpoint that has it, and that checkpoint's number.</summary>
    public (CheckpointHead Head, long Number)? For(string streamId) => _heads.TryGetValue(streamId, out var h) ? h : null;
}

/// <summary>
/// The checkpoints a verification goes by: those the auditor supplied, else those in the sink. Never the database's
/// copy: whoever could rewrite the chain could delete its latest checkpoints there too.
/// </summary>
public sealed class TrustedCheckpoints(CheckpointSink sink, CheckpointTrust trust, AuditDatabase db)
{
    public async Task<CheckpointedHeads> LoadAsync(IReadOnlyList<SignedCheckpoint>? supplied, CancellationToken ct)
    {
        if (supplied is { Count: > 0 }) return CheckpointedHeads.From("auditor", supplied, trust, db.Schema);
        var stored = await sink.ReadAllAsync(ct);
        return stored.Count > 0 ? CheckpointedHeads.From("sink", stored, trust, db.Schema) : CheckpointedHeads.None;
    }
}
