using Microsoft.Extensions.Logging.Abstractions;
using ReviewFlow.Workflow.Intake;

namespace ReviewFlow.Workflow.Tests.Intake;

/// <summary>
/// The intake handles at most two large bodies at once, whatever its prefetch, and never makes an ordinary body wait
/// behind them (the memory this bounds: FaultTests' HostileMemoryTests, docs/reliability.md "A backlog of them").
/// </summary>
public sealed class LargeBodyGateTests
{
    readonly LargeBodyGate _gate = new(new LargeBodyMemory(TimeProvider.System, NullLogger<LargeBodyMemory>.Instance));

    const long Large = LargeBodyMemory.LargeBytes;

    [Fact]
    public async Task Large_bodies_go_through_two_at_a_time_while_ordinary_ones_pass_at_once()
    {
        var inside = 0;
        var most = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new List<int>();
        Task Hold(int body) => _gate.PassAsync(9 * Large, async () =>
        {
            lock (entered) entered.Add(body);
            var now = Interlocked.Increment(ref inside);
            InterlockedMax(ref most, now);
            await release.Task;
            Interlocked.Decrement(ref inside);
        }, CancellationToken.None);

        var large = Enumerable.Range(0, 6).Select(Hold).ToList();
        await WaitUntilAsync(() => Volatile.Read(ref inside) == LargeBodyGate.AtOnce);
        await Task.Delay(100); // the other four had time to get in, were they let
        Assert.Equal(LargeBodyGate.AtOnce, Volatile.Read(ref inside));

        // A small body is not held behind the large ones waiting.
        var small = _gate.PassAsync(2_000, () => Task.CompletedTask, CancellationToken.None);
        Assert.True(small.IsCompleted, "an ordinary body waited behind large ones");

        release.SetResult();
        await Task.WhenAll(large).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(LargeBodyGate.AtOnce, most);
        Assert.Equal(6, entered.Count);
    }

    [Fact]
    public async Task A_large_body_whose_handling_throws_gives_its_place_back()
    {
        for (var i = 0; i < LargeBodyGate.AtOnce + 1; i++)
            await Assert.ThrowsAsync<InvalidOperationException>(() =>
                _gate.PassAsync(Large, () => throw new InvalidOperationException("refused"), CancellationToken.None));

        var ran = false;
        await _gate.PassAsync(Large, () => { ran = true; return Task.CompletedTask; }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(ran);
    }

    [Fact]
    public async Task A_large_body_waiting_for_its_turn_is_given_up_when_the_worker_stops()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = Enumerable.Range(0, LargeBodyGate.AtOnce)
            .Select(_ => _gate.PassAsync(Large, () => release.Task, CancellationToken.None)).ToList();
        using var stopping = new CancellationTokenSource();
        var ran = false;
        var waiting = _gate.PassAsync(Large, () => { ran = true; return Task.CompletedTask; }, stopping.Token);
        Assert.False(waiting.IsCompleted);

        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(ran); // not handled: unacknowledged, so the broker redelivers it
        release.SetResult();
        await Task.WhenAll(holding);
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "timed out");
            await Task.Delay(10);
        }
    }
}
