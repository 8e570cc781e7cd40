using static ReviewFlow.Benchmarks.Stats;

namespace ReviewFlow.Benchmarks;

/// <summary>
/// `-- workers`: the system as deployed (the migrate step, then ReviewFlow.Worker processes with audit and timers as
/// shipped) with one worker, then with two, next to the bare-MassTransit baseline of the same run. On two cores two
/// workers cannot be faster, so each run also prints CPU per document per process and what that cost allows with a
/// core per process. Without --rate each worker count runs twice: as fast as 200 in flight allow (throughput; its
/// latency is queueing), then open loop at half that throughput (latency below saturation).
/// </summary>
public static class WorkersBenchmark
{
    public static async Task<int> RunAsync(int baselineMessages, IReadOnlyList<int> counts, PipelineOptions options, CancellationToken cancellationToken,
        bool halfRate = true)
    {
        BaselineResult? baseline = null;
        if (baselineMessages > 0)
        {
            Console.Error.WriteLine($"[bench] baseline: {baselineMessages} messages through bare MassTransit");
            baseline = await BaselineBenchmark.RunAsync(baselineMessages, TimeSpan.FromSeconds(Math.Max(120, baselineMessages / 100.0)), cancellationToken);
        }
        var runs = new List<(int Workers, PipelineResult Result)>();
        var belowSaturation = new List<(int Workers, double Rate, PipelineResult Result)>();
        foreach (var workers in counts)
        {
            var run = await new PipelineBenchmark(options with { WorkerProcesses = workers }).RunAsync(cancellationToken);
            runs.Add((workers, run));
            if (options.Rate > 0 || !halfRate) continue;
            var half = Math.Max(1, Math.Round(run.PerSecond / 2));
            Console.Error.WriteLine($"[bench] {workers} worker(s) again at {half} docs/s (half the throughput) for the latency below saturation");
            belowSaturation.Add((workers, half, await new PipelineBenchmark(options with { WorkerProcesses = workers, Rate = half }).RunAsync(cancellationToken)));
        }

        Console.WriteLine();
        Console.WriteLine($"ReviewFlow as deployed, worker processes ({N0(options.Documents)} documents per run, {Environment.ProcessorCount} cores; " +
                          $"after {N0(options.WarmUpDocuments)} warm-up documents" +
                          (options.FreshWorkers ? ", then fresh processes measured from their readiness)" : $" and {options.SettleSeconds} s)") +
                          (options.Rate > 0 ? $", published at {N0(options.Rate)} docs/s (open loop)" : ", as fast as 200 in flight allow"));
        if (baseline is not null)
        {
            Console.WriteLine($"baseline  bare MassTransit publish->consume: {N0(baseline.PerSecond)} msg/s ({N0(baseline.Messages)} msgs, {N1(baseline.Seconds)} s)");
            Console.WriteLine($"  cpu per message: {baseline.CpuPerMessage.Replace("docs/s", "msg/s")}");
        }
        var failed = false;
        foreach (var (workers, r) in runs)
        {
            var share = baseline is null ? "" : $", {N1(100 * r.PerSecond / baseline.PerSecond)}% of baseline";
            Console.WriteLine($"{workers} worker{(workers > 1 ? "s" : " ")}: {N0(r.PerSecond)} docs/s ({N1(r.Seconds)} s{share}); " +
                              $"publish->decision p50 / p95 / p99 {N0(Percentile(r.LatenciesMs, 50))} / {N0(Percentile(r.LatenciesMs, 95))} / {N0(Percentile(r.LatenciesMs, 99))} ms");
            Console.WriteLine($"  cpu per document: {r.CpuPerDocument}");
            // With a core each, the process that spends the most per document sets the pace; the benchmark client
            // (publisher and decision reader) stands for the upstream and downstream systems and is left out.
            var servers = r.CpuMsPerDocument.Where(p => p.Name != "benchmark").ToList();
            if (servers.Count > 0)
            {
                var (name, ms) = servers.MaxBy(p => p.Ms);
                Console.WriteLine($"  a core per process: ~{N0(1000 / ms)} docs/s (bound by {name}, {N1(ms)} ms per document; " +
                                  $"{string.Join(", ", servers.Select(p => $"{p.Name} ~{N0(1000 / p.Ms)}/s"))})");
            }
            Console.WriteLine($"  cpu: {r.Cpu}");
            if (!double.IsNaN(r.JitMsPerDocument))
                Console.WriteLine($"  worker JIT during the run: {N1(r.JitMsPerDocument * r.Documents / 1000)} s of compilation, {r.JitMsPerDocument:0.00} ms per document " +
                                  "(a long-running worker's is ~0: more warm-up measures its steady state)");
            Console.WriteLine($"  postgres: {r.Statements[0]}");
            foreach (var line in r.Statements.Skip(1)) Console.WriteLine("  " + line);
            Console.WriteLine($"  decisions: {r.Missing} missing, {r.DecidedTwice} decided twice (different message ids), " +
                              $"{r.DuplicateMessageIds} redelivered (same message id); outcomes {string.Join(", ", r.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
            foreach (var line in r.DuplicateDetails.Take(10)) Console.WriteLine($"    duplicate {line}");
            if (r.Missing > 0) Console.WriteLine($"    missing: {string.Join(", ", r.MissingIds.Take(10))}{(r.Missing > 10 ? ", …" : "")}");
            failed |= r.Missing > 0 || r.DecidedTwice > 0;
            if (belowSaturation.FirstOrDefault(b => b.Workers == workers) is { Result: { } low, Rate: var rate })
            {
                Console.WriteLine($"  at {N0(rate)} docs/s (half): publish->decision p50 / p95 / p99 {N0(Percentile(low.LatenciesMs, 50))} / " +
                                  $"{N0(Percentile(low.LatenciesMs, 95))} / {N0(Percentile(low.LatenciesMs, 99))} ms; cpu per document {N1(low.CpuMsPerDocument.Where(p => p.Name != "benchmark").Sum(p => p.Ms))} ms; " +
                                  $"{low.Missing} missing, {low.DecidedTwice} decided twice, {low.DuplicateMessageIds} redelivered");
                failed |= low.Missing > 0 || low.DecidedTwice > 0;
            }
        }
        if (runs is [(_, var one), (_, var two)])
        {
            var total = (PipelineResult r) => r.CpuMsPerDocument.Where(p => p.Name != "benchmark").Sum(p => p.Ms);
            Console.WriteLine($"2 workers / 1 worker: throughput x{one.PerSecond switch { > 0 => (two.PerSecond / one.PerSecond).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), _ => "n/a" }}, " +
                              $"cpu per document (workers+servers) {N1(total(one))} -> {N1(total(two))} ms");
        }
        if (failed) Console.WriteLine("FAILED: a document got no decision, or two different ones");
        return failed ? 1 : 0;
    }
}
