using System.Runtime;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace ReviewFlow.Workflow.Intake;

/// <summary>
/// Gives back the memory that large bodies took, once they stop arriving. Each AMQP body of megabytes leaves garbage
/// on the large-object heap (MassTransit's copy of it) and an 8 or 16 MB array in the shared ArrayPool (the client's
/// frames), cached per thread; an idle worker allocates too little for the GC to run, and the pool drops a cached array
/// only at a gen-2 collection after it sat unused for 30 s (per thread) or 60 s (per core). So after 80 refused
/// 5–9 MB bodies RSS stayed at +880 MB for good (docs/reliability.md). A compacting, decommitting collection after a
/// quiet second returns the garbage, and a few more 15 s apart let the pool drop what it cached. Each costs a pause of
/// tens of ms, and they run only after large bodies, never for ordinary input.
/// </summary>
public sealed class LargeBodyMemory(TimeProvider clock, ILogger<LargeBodyMemory> log) : BackgroundService
{
    /// <summary>Bodies from this size on are worth a collection later (the large-object heap starts at 85,000 bytes).</summary>
    public const int LargeBytes = 1024 * 1024;

    /// <summary>During a stream of large bodies, a collection after this much of them bounds the garbage between two.</summary>
    public const long CollectEveryBytes = 128L * 1024 * 1024;

    static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    static readonly TimeSpan FollowUpEvery = TimeSpan.FromSeconds(15);
    const int FollowUps = 5; // 75 s: past the pool's 60 s

    long _lastLargeTicks; // 0: nothing new to give back
    long _largeBytes; // since the last collection

    /// <summary>Called for every body the intake receives: remembers when the last large one came, and how much came.</summary>
    public void Received(long bytes)
    {
        if (bytes < LargeBytes) return;
        Interlocked.Add(ref _largeBytes, bytes);
        Interlocked.Exchange(ref _lastLargeTicks, clock.GetTimestamp());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Quiet, clock);
        var followUps = 0;
        var lastCollection = 0L;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var last = Interlocked.Read(ref _lastLargeTicks);
            if (last != 0 && (clock.GetElapsedTime(last) >= Quiet || Interlocked.Read(ref _largeBytes) >= CollectEveryBytes))
            {
                // A body that comes meanwhile sets the time again: it is collected after the next quiet second.
                Interlocked.CompareExchange(ref _lastLargeTicks, 0, last);
                Interlocked.Exchange(ref _largeBytes, 0);
                followUps = FollowUps;
            }
            else if (followUps > 0 && clock.GetElapsedTime(lastCollection) >= FollowUpEvery) followUps--;
            else continue;

            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            lastCollection = clock.GetTimestamp();
            log.LogDebug("Collected after large bodies: GC heap {HeapMb:0} MB, process working set {RssMb:0} MB",
                GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / 1048576.0, Environment.WorkingSet / 1048576.0);
        }
    }
}

/// <summary>
/// The intake's receive filter for every body: tells <see cref="LargeBodyMemory"/> of it, and lets at most
/// <see cref="AtOnce"/> large bodies (<see cref="LargeBodyMemory.LargeBytes"/> and up) through the rest of the pipeline at
/// once, per process. Each large body handled costs several times its size beyond the transport's copy (the raw JSON
/// deserializer's clone, the client's pooled frame buffers when it goes to the error queue); a backlog of them handled
/// all at once took a worker at prefetch 64 to 1.9 GB. Ordinary bodies never wait here.
/// </summary>
public sealed class LargeBodyGate(LargeBodyMemory memory) : IFilter<ReceiveContext>
{
    /// <summary>Large bodies handled at once (per process, both intake queues together).</summary>
    public const int AtOnce = 2;

    readonly SemaphoreSlim _large = new(AtOnce);

    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next) =>
        PassAsync(context.Body.Length ?? 0, () => next.Send(context), context.CancellationToken);

    /// <summary>Runs <paramref name="next"/> for a body of <paramref name="bytes"/>, after the large ones ahead of it if it is large.</summary>
    public async Task PassAsync(long bytes, Func<Task> next, CancellationToken cancellationToken)
    {
        memory.Received(bytes);
        if (bytes < LargeBodyMemory.LargeBytes)
        {
            await next();
            return;
        }
        await _large.WaitAsync(cancellationToken);
        try
        {
            await next();
        }
        finally
        {
            _large.Release();
        }
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("largeBodyGate");
}
