using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ReviewFlow.Audit;
using ReviewFlow.Audit.Checkpoints;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// The checkpoints themselves, without servers: what verification makes of a file that is incomplete, reordered, or
/// signed by someone else (docs/adr/0013). Only checkpoints that check out are used for the chain.
/// </summary>
public sealed class CheckpointFileTests
{
    static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    static readonly CheckpointSigner Signer = new(Key);
    static readonly CheckpointTrust Trust = new(Options.Create(new AuditOptions { CheckpointKey = Convert.ToBase64String(Key.ExportPkcs8PrivateKey()) }));

    static List<SignedCheckpoint> Chain(int count, CheckpointSigner? signer = null)
    {
        var list = new List<SignedCheckpoint>();
        for (var n = 1; n <= count; n++)
            list.Add(SignedCheckpoint.Sign(new CheckpointBody("s", n, DateTimeOffset.UnixEpoch.AddHours(n), (n - 1) * 10, n * 10, n * 10,
                list.Count > 0 ? list[^1].Digest() : null, [new CheckpointHead("DOC-" + n, n, new string('a', 64))]), signer ?? Signer));
        return list;
    }

    static List<string> Problems(CheckpointedHeads heads) => heads.Findings.Select(f => f.Problem).ToList();

    [Fact]
    public void A_complete_chain_of_checkpoints_checks_out_in_any_order_and_merges_every_streams_head()
    {
        var list = Chain(3);
        var heads = CheckpointedHeads.From("auditor", [list[2], list[0], list[1]], Trust, "s");
        Assert.Empty(heads.Findings);
        Assert.Equal(3, heads.Latest!.Number);
        Assert.Equal(2, heads.For("DOC-2")!.Value.Head.Version);
        Assert.Equal([Signer.KeyId], heads.Status.KeyIds);
    }

    [Fact]
    public void A_missing_or_replaced_checkpoint_is_named()
    {
        var list = Chain(3);
        Assert.Contains("checkpoints #2–#2 are missing", Problems(CheckpointedHeads.From("auditor", [list[0], list[2]], Trust, "s")));

        var other = SignedCheckpoint.Sign(list[1].Body() with { Previous = new string('0', 64) }, Signer);
        Assert.Contains(Problems(CheckpointedHeads.From("auditor", [list[0], other, list[2]], Trust, "s")), p => p.Contains("a checkpoint was replaced"));
    }

    [Fact]
    public void A_checkpoint_signed_by_an_untrusted_key_or_altered_after_signing_is_not_used()
    {
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreign = Chain(1, new CheckpointSigner(stranger));
        var heads = CheckpointedHeads.From("auditor", foreign, Trust, "s");
        Assert.Contains(Problems(heads), p => p.Contains("which is not a trusted checkpoint key"));
        Assert.Null(heads.Latest);

        var altered = Chain(1)[0];
        var payload = Convert.FromBase64String(altered.Payload);
        payload[^3] ^= 1;
        heads = CheckpointedHeads.From("auditor", [altered with { Payload = Convert.ToBase64String(payload) }], Trust, "s");
        Assert.Contains(Problems(heads), p => p.Contains("the signature does not match its payload"));
        Assert.Null(heads.For("DOC-1"));
    }
}
