using System.Diagnostics;
using ReviewFlow.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Pipeline;

/// <summary>
/// A lost optimistic-concurrency race rolls back a transaction that had taken event sequence numbers: the relay must
/// not stall on that gap for long.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class GapTests(ReviewFlowSystem system, ITestOutputHelper output)
{
    [Fact]
    public async Task Decisions_keep_flowing_after_racing_duplicates_leave_gaps_in_the_event_sequence()
    {
        var raced = Documents.NewId();
        var json = Documents.Json(raced, confidence: 0.99);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => system.Amqp.PublishRawAsync(json)));
        await system.Amqp.WaitForDecisionAsync(raced);

        var clock = Stopwatch.StartNew();
        var next = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(next, confidence: 0.99));
        await system.Amqp.WaitForDecisionAsync(next, TimeSpan.FromSeconds(10));
        output.WriteLine($"next decision after {clock.ElapsedMilliseconds} ms");
        Assert.Single(system.Amqp.Decisions, d => d.DocumentId == raced);
    }
}
