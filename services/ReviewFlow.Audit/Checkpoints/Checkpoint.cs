using System.Security.Cryptography;
using System.Text.Json;
using ReviewFlow.Audit.Decisions;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>
/// What one checkpoint signs: the heads of the streams that gained events in (FromSeqId, LastSeqId], the number of
/// chained events with a sequence number up to LastSeqId, the events of the range chained as direct inserts (so that
/// relabelling one later shows: how an event arrived is not part of its hash), and the SHA-256 of the previous
/// checkpoint's payload, so that the checkpoints form a chain of their own and a missing one shows (docs/adr/0013).
/// </summary>
public sealed record CheckpointBody(
    string Schema, long Number, DateTimeOffset TakenAt, long FromSeqId, long LastSeqId, long EventCount, string? Previous,
    IReadOnlyList<CheckpointHead> Heads, IReadOnlyList<long>? DirectSeqIds = null);

/// <summary>A stream's last chained event at the checkpoint: its version and chain hash (hex).</summary>
public sealed record CheckpointHead(string StreamId, long Version, string Hash);

/// <summary>
/// A signed checkpoint as it leaves the database. Payload is the body's UTF-8 JSON in base64, signed exactly as it
/// stands (ECDSA P-256, SHA-256, DER signature: `openssl dgst -sha256 -verify key.pem -signature sig.der payload.json`);
/// Number, LastSeqId and TakenAt repeat the body's for reading, the payload is what counts.
/// </summary>
public sealed record SignedCheckpoint(long Number, long LastSeqId, DateTimeOffset TakenAt, string KeyId, string Algorithm,
    string Payload, string Signature)
{
    public const string Es256 = "ES256";

    public static SignedCheckpoint Sign(CheckpointBody body, CheckpointSigner signer)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(body, AuditJson.Options);
        return new(body.Number, body.LastSeqId, body.TakenAt, signer.KeyId, Es256, Convert.ToBase64String(payload),
            Convert.ToBase64String(signer.Sign(payload)));
    }

    /// <summary>The SHA-256 (hex) of the payload bytes: what the next checkpoint names as Previous.</summary>
    public string Digest() => Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(Payload)));

    public CheckpointBody Body() => JsonSerializer.Deserialize<CheckpointBody>(Convert.FromBase64String(Payload), AuditJson.Options)
        ?? throw new FormatException("empty checkpoint payload");

    public override string ToString() => $"checkpoint #{Number} (up to seq {LastSeqId}, {TakenAt:O})";
}

/// <summary>What an auditor downloads (GET /api/v1/audit/checkpoints) and may hand back to a verification.</summary>
public sealed record CheckpointFile(IReadOnlyList<CheckpointKey>? PublicKeys, IReadOnlyList<SignedCheckpoint>? Checkpoints);

/// <summary>A public key (SubjectPublicKeyInfo, PEM) and its id: the first 16 hex digits of the SHA-256 of its DER bytes.</summary>
public sealed record CheckpointKey(string KeyId, string Algorithm, string PublicKeyPem)
{
    public static string IdOf(byte[] subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo))[..16];

    public static CheckpointKey Of(ECDsa key)
    {
        var spki = key.ExportSubjectPublicKeyInfo();
        return new(IdOf(spki), SignedCheckpoint.Es256, key.ExportSubjectPublicKeyInfoPem());
    }
}

/// <summary>Reads a key from configuration: PEM text, or the base64 of its DER bytes (one line, handy in an environment variable).</summary>
static class KeyText
{
    public static ECDsa Private(string text) => Import(text, (k, der) => k.ImportPkcs8PrivateKey(der, out _));
    public static ECDsa Public(string text) => Import(text, (k, der) => k.ImportSubjectPublicKeyInfo(der, out _));

    static ECDsa Import(string text, Action<ECDsa, byte[]> der)
    {
        var key = ECDsa.Create();
        text = text.Trim();
        if (text.StartsWith("-----", StringComparison.Ordinal)) key.ImportFromPem(text);
        else der(key, Convert.FromBase64String(text));
        if (key.KeySize != 256) throw new InvalidOperationException("The audit checkpoint key must be an ECDSA P-256 key.");
        return key;
    }

}
