using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ReviewFlow.Audit.Checkpoints;

/// <summary>The private key (Audit:CheckpointKey), held by the worker only; the database never sees it.</summary>
public sealed class CheckpointSigner(ECDsa key)
{
    public string KeyId { get; } = CheckpointKey.IdOf(key.ExportSubjectPublicKeyInfo());
    public CheckpointKey PublicKey { get; } = CheckpointKey.Of(key);
    public byte[] Sign(byte[] payload) => key.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    /// <summary>Null when no key is configured: then no checkpoints are taken (a warning at start).</summary>
    public static CheckpointSigner? From(AuditOptions options) =>
        options.CheckpointKey is { Length: > 0 } text ? new CheckpointSigner(KeyText.Private(text)) : null;
}

/// <summary>
/// The public keys a verification trusts: the current key's, when this host has it, and Audit:CheckpointPublicKeys
/// (earlier keys after a rotation, or the only ones on a web host that must not hold the private key).
/// </summary>
public sealed class CheckpointTrust
{
    readonly Dictionary<string, ECDsa> _keys = [];

    public CheckpointTrust(IOptions<AuditOptions> options)
    {
        var o = options.Value;
        if (CheckpointSigner.From(o) is { } signer) Add(KeyText.Public(signer.PublicKey.PublicKeyPem));
        foreach (var text in o.CheckpointPublicKeys.Where(k => !string.IsNullOrWhiteSpace(k))) Add(KeyText.Public(text));
    }

    void Add(ECDsa key)
    {
        var id = CheckpointKey.IdOf(key.ExportSubjectPublicKeyInfo());
        _keys.TryAdd(id, key);
    }

    public IReadOnlyList<CheckpointKey> Keys => _keys.Values.Select(CheckpointKey.Of).ToList();

    /// <summary>Null when the signature is good; otherwise why not.</summary>
    public string? Check(SignedCheckpoint checkpoint)
    {
        if (checkpoint.Algorithm != SignedCheckpoint.Es256) return $"{checkpoint}: algorithm {checkpoint.Algorithm} is not {SignedCheckpoint.Es256}";
        if (!_keys.TryGetValue(checkpoint.KeyId, out var key)) return $"{checkpoint}: signed by key {checkpoint.KeyId}, which is not a trusted checkpoint key";
        try
        {
            return key.VerifyData(Convert.FromBase64String(checkpoint.Payload), Convert.FromBase64String(checkpoint.Signature),
                HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                ? null
                : $"{checkpoint}: the signature does not match its payload";
        }
        catch (FormatException)
        {
            return $"{checkpoint}: payload or signature is not base64";
        }
    }
}
