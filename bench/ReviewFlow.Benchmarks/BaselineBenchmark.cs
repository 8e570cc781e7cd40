using System.Diagnostics;
using MassTransit;
using ReviewFlow.Testing;

namespace ReviewFlow.Benchmarks;

/// <summary>A tiny message: the baseline measures MassTransit and the broker, nothing else.</summary>
public sealed record BenchPing(long Sequence);

public sealed record BaselineResult(int Messages, double Seconds, int PrefetchCount, string CpuPerMessage)
{
    public double PerSecond => Messages / Seconds;
}

/// <summary>
/// Bare MassTransit on the same broker: publish M messages with a bounded number in flight (publisher confirms on,
/// MassTransit's default) to a receive endpoint whose consumer only counts; messages/s from the first publish to the
/// last consume.
/// </summary>
public static class BaselineBenchmark
{
    const int InFlight = 100;
    const int WarmUp = 5000;
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task<BaselineResult> RunAsync(int messages, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var uri = await Servers.IsolatedRabbitMqAsync((await Servers.GetAsync()).RabbitMq, "rf-bench-base-" + Guid.NewGuid().ToString("N")[..8]);
        var counter = new PingCounter();
        var prefetch = 0;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(uri));
            cfg.ReceiveEndpoint("bench-baseline", e =>
            {
                prefetch = e.PrefetchCount;
                e.Consumer(() => new PingConsumer(counter));
            });
        });
        await bus.StartAsync(cancellationToken);
        try
        {
            // Warm-up (JIT, connections, topology), not measured; the same treatment as the pipeline's.
            counter.Expect(WarmUp);
            await PublishAsync(bus, WarmUp, cancellationToken);
            await counter.Done.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            await Task.Delay(Settle, cancellationToken); // let the tiered JIT finish recompiling the hot path

            counter.Expect(messages);
            var cpuBefore = CpuSnapshot.Take();
            var start = Stopwatch.GetTimestamp();
            await PublishAsync(bus, messages, cancellationToken);
            long end;
            try
            {
                end = await counter.Done.WaitAsync(timeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                throw new BenchmarkException($"baseline: only {counter.Count} of {messages} messages consumed within {timeout.TotalSeconds:N0} s");
            }
            return new BaselineResult(messages, Stats.Ms(start, end) / 1000.0, prefetch, cpuBefore.PerDocument(CpuSnapshot.Take(), messages));
        }
        finally
        {
            await bus.StopAsync(CancellationToken.None);
        }
    }

    static async Task PublishAsync(IBus bus, int count, CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(InFlight);
        var pending = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await slots.WaitAsync(cancellationToken);
            pending.Add(PublishOne(i));
        }
        await Task.WhenAll(pending);

        async Task PublishOne(long sequence)
        {
            try { await bus.Publish(new BenchPing(sequence), cancellationToken); }
            finally { slots.Release(); }
        }
    }

    sealed class PingConsumer(PingCounter counter) : IConsumer<BenchPing>
    {
        public Task Consume(ConsumeContext<BenchPing> context)
        {
            counter.Increment();
            return Task.CompletedTask;
        }
    }

    sealed class PingCounter
    {
        int _count, _expected;
        TaskCompletionSource<long> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);
        public Task<long> Done => _done.Task;

        public void Expect(int expected)
        {
            _done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _expected, expected);
            Volatile.Write(ref _count, 0);
        }

        public void Increment()
        {
            var ts = Stopwatch.GetTimestamp();
            if (Interlocked.Increment(ref _count) == Volatile.Read(ref _expected)) _done.TrySetResult(ts);
        }
    }
}
