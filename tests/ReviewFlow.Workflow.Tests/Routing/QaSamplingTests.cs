using System.Text.Json;
using ReviewFlow.Workflow.Routing;
using static ReviewFlow.Workflow.Tests.TestSupport.TestData;

namespace ReviewFlow.Workflow.Tests.Routing;

/// <summary>
/// The QA draw is keyed with a server-side secret: still the same for a document every time, but an upstream that
/// knows the algorithm cannot compute which ids escape the sample.
/// </summary>
public sealed class QaSamplingTests
{
    static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    static readonly byte[] OtherKey = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    static readonly string[] Ids = Enumerable.Range(0, 10_000).Select(i => $"INV-2026-{i:D6}").ToArray();

    static HashSet<string> Sampled(byte[]? key, double rate = 0.1) => Ids
        .Where(id => RoutingRules.Decide(TestPolicy(qaSampleRate: rate) with { SamplingKey = key }, Classified(documentId: id, confidence: 0.99)).Rule
            == RoutingRules.QaSample)
        .ToHashSet();

    [Fact]
    public void With_the_key_a_document_is_drawn_the_same_way_every_time() =>
        Assert.Equal(Sampled(Key), Sampled(Key.ToArray()));

    [Fact]
    public void With_the_key_the_rate_still_holds() =>
        Assert.InRange(Sampled(Key).Count / (double)Ids.Length, 0.08, 0.12);

    [Fact]
    public void Which_documents_are_sampled_depends_on_the_key_so_ids_chosen_with_the_plain_hash_do_not_escape()
    {
        // An upstream that computes the unkeyed draw picks the ids it would never see sampled...
        var escaping = Ids.Except(Sampled(null)).ToHashSet();
        // ...but under the server's key about a tenth of those are sampled all the same (10 % of ~9,000 ≈ 900).
        var caught = escaping.Intersect(Sampled(Key)).Count();
        Assert.InRange(caught, 700, 1100);
        // And another key draws another sample.
        Assert.NotEqual(Sampled(Key), Sampled(OtherKey));
    }

    [Fact]
    public void The_key_is_never_written_with_the_policy()
    {
        var json = JsonSerializer.Serialize(TestPolicy(qaSampleRate: 0.1) with { SamplingKey = Key });
        Assert.DoesNotContain("amplingKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(Key), json);
    }
}
