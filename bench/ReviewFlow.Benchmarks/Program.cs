using System.Globalization;
using ReviewFlow.Benchmarks;
using static ReviewFlow.Benchmarks.Stats;

// ReviewFlow end-to-end benchmark against the servers of infra/servers.sh (source .local/servers/env.sh first):
//   dotnet run -c Release --project bench/ReviewFlow.Benchmarks -- [--documents N] [--baseline-messages M]
//       [--warmup W] [--settle S] [--rate R] [--trace] [--postgres-options "K=V;..."] [--set Config:Key=Value ...]
//       [--keep-database]
// --warmup W routes W documents before measuring and --settle S pauses S seconds after that (defaults 3000
//   and 5: the tiered JIT and the pools settle, so the figures are those of a worker that has been running), then
//   waits (at most 60 s) until the worker and servers are idle: the daemon has caught up with the warm-up's events;
// --baseline-messages 0 skips the baseline;
// --rate R publishes R documents/s (open loop) instead of as fast as 200 in flight allow: latency below saturation;
// --trace prints the worker's queue depths every second;
// --postgres-options appends Npgsql options to the worker's connection string (e.g. "Max Auto Prepare=32");
// --set adds configuration keys to the in-process worker;
// --keep-database leaves the run's database (rfbench_<run>) in place; by default it is dropped.
// `-- hostile [--messages N]` measures what bad input costs the intake instead (HostileInputBenchmark.cs).
// `-- quality [--decisions N]`: the quality summary, what-if and suggestion over N recorded decisions (QualityBenchmark.cs).
// `-- workers [same options] [--counts 1,2]`: the deployed worker executable as 1, then 2 processes (or the counts
//   given), beside the baseline (WorkersBenchmark.cs); --fresh-workers replaces them by new processes after the
//   warm-up and measures from their readiness on (a restarted worker's first seconds, on a warm database);
//   --saturation-only skips the second run at half the throughput (the latency below saturation).
// `-- reviewers [--clients C] [--rate R] [--seconds S] [--workers N] [--web M] [--hub-only]`: C SignalR clients on M
//   web host processes while R documents/s that need review are published for S seconds (ReviewersBenchmark.cs);
//   --hub-only publishes the task changes the saga would publish straight to the web nodes, with no worker: the web
//   tier at a rate the worker side cannot reach on two cores.
// `-- decide [--reviewers R] [--tasks N] [--warmup W]`: R reviewers claim and decide W + N queued tasks through the web
//   host, one at a time each, as the page's keys do: the human path's round trips (DecideBenchmark.cs).
// Exit code 1 when a document got no decision or two different ones, 2 on bad arguments or a setup failure.

if (args is ["hostile", ..])
{
    var count = args is [_, "--messages", var n] ? PositiveInt(n, "--messages") : 2000;
    try { return await HostileInputBenchmark.RunAsync(count, CancellationToken.None); }
    catch (Exception ex) when (BenchmarkException.IsSetupFailure(ex)) { Console.Error.WriteLine($"FAILED: {ex.Message}"); return 2; }
}

if (args is ["quality", ..])
{
    var count = args is [_, "--decisions", var n] ? PositiveInt(n, "--decisions") : 1_000_000;
    try { return await QualityBenchmark.RunAsync(count, CancellationToken.None); }
    catch (BenchmarkException ex) { Console.Error.WriteLine($"FAILED: {ex.Message}"); return 2; }
}

var mode = args is [("workers" or "reviewers" or "decide") and var m, ..] ? m : "pipeline";
if (mode != "pipeline") args = args[1..];
var documents = 5000;
var clients = 200;
var seconds = 30;
var workerProcesses = 1;
int[] workerCounts = [1, 2];
var webNodes = 2;
var baselineMessages = 20000;
var keepDatabase = false;
string? postgresOptions = null;
var rate = 0.0;
var trace = false;
var settleSeconds = 5;
var freshWorkers = false;
var saturationOnly = false;
var hubOnly = false;
var warmUp = 3000;
var overrides = new Dictionary<string, string?>();
int decideReviewers = 8, decideTasks = 400, decideWarmUp = 100;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--documents": documents = PositiveInt(Next(ref i), "--documents"); break;
            case "--baseline-messages": baselineMessages = int.Parse(Next(ref i), CultureInfo.InvariantCulture); break;
            case "--keep-database": keepDatabase = true; break;
            case "--postgres-options": postgresOptions = Next(ref i); break;
            case "--rate": rate = double.Parse(Next(ref i), CultureInfo.InvariantCulture); break;
            case "--clients" when mode == "reviewers": clients = PositiveInt(Next(ref i), "--clients"); break;
            case "--reviewers" when mode == "decide": decideReviewers = PositiveInt(Next(ref i), "--reviewers"); break;
            case "--tasks" when mode == "decide": decideTasks = PositiveInt(Next(ref i), "--tasks"); break;
            case "--warmup" when mode == "decide": decideWarmUp = PositiveInt(Next(ref i), "--warmup"); break;
            case "--seconds" when mode == "reviewers": seconds = PositiveInt(Next(ref i), "--seconds"); break;
            case "--workers" when mode == "reviewers": workerProcesses = PositiveInt(Next(ref i), "--workers"); break;
            case "--counts" when mode == "workers":
                workerCounts = Next(ref i).Split(',').Select(c => PositiveInt(c, "--counts")).ToArray();
                break;
            case "--web" when mode == "reviewers": webNodes = PositiveInt(Next(ref i), "--web"); break;
            case "--trace": trace = true; break;
            case "--warmup": warmUp = int.Parse(Next(ref i), CultureInfo.InvariantCulture); break;
            case "--fresh-workers" when mode == "workers": freshWorkers = true; break;
            case "--saturation-only" when mode == "workers": saturationOnly = true; break;
            case "--hub-only" when mode == "reviewers": hubOnly = true; break;
            case "--settle": settleSeconds = int.Parse(Next(ref i), CultureInfo.InvariantCulture); break;
            case "--set":
                var pair = Next(ref i);
                var eq = pair.IndexOf('=');
                if (eq <= 0) throw new BenchmarkException($"--set expects Key=Value, got '{pair}'");
                overrides[pair[..eq]] = pair[(eq + 1)..];
                break;
            case "-h" or "--help":
                Console.WriteLine("usage: ReviewFlow.Benchmarks [--documents N] [--baseline-messages M] [--warmup W] [--settle S] [--rate R] [--trace] " +
                                  "[--postgres-options \"K=V;...\"] [--set Key=Value]... [--keep-database]\n" +
                                  "       ReviewFlow.Benchmarks workers [the same options] [--counts 1,2] [--fresh-workers] [--saturation-only]\n" +
                                  "       ReviewFlow.Benchmarks reviewers [--clients C] [--rate R] [--seconds S] [--workers N] [--web M]\n" +
                                  "       ReviewFlow.Benchmarks decide [--reviewers R] [--tasks N] [--warmup W]\n" +
                                  "       ReviewFlow.Benchmarks hostile [--messages N]");
                return 0;
            default: throw new BenchmarkException($"unknown argument '{args[i]}' (try --help)");
        }
    }
}
catch (Exception ex) when (ex is BenchmarkException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

try
{
    if (mode == "decide")
        return await new DecideBenchmark(new DecideOptions(decideReviewers, decideTasks, decideWarmUp, keepDatabase)).RunAsync(cancel.Token);
    if (mode == "reviewers")
        return await new ReviewersBenchmark(new ReviewersOptions(clients, rate > 0 ? rate : 100, seconds, hubOnly ? 0 : workerProcesses, webNodes, keepDatabase, hubOnly))
            .RunAsync(cancel.Token);
    if (mode == "workers")
        return await WorkersBenchmark.RunAsync(baselineMessages, workerCounts,
            new PipelineOptions(documents, warmUp, settleSeconds, rate, trace, keepDatabase, postgresOptions, overrides, FreshWorkers: freshWorkers),
            cancel.Token, halfRate: !saturationOnly);

    BaselineResult? baseline = null;
    if (baselineMessages > 0)
    {
        Console.Error.WriteLine($"[bench] baseline: {baselineMessages} messages through bare MassTransit");
        baseline = await BaselineBenchmark.RunAsync(baselineMessages, TimeSpan.FromSeconds(Math.Max(120, baselineMessages / 100.0)), cancel.Token);
    }

    var pipeline = new PipelineBenchmark(new PipelineOptions(documents, warmUp, settleSeconds, rate, trace, keepDatabase, postgresOptions, overrides));
    var result = await pipeline.RunAsync(cancel.Token);

    var rows = new List<(string Name, string Value)>();
    if (baseline is not null)
        rows.Add(("baseline  bare MassTransit publish->consume", $"{N0(baseline.PerSecond)} msg/s   ({N0(baseline.Messages)} msgs, prefetch {baseline.PrefetchCount}, {N1(baseline.Seconds)} s)"));
    if (baseline is not null) rows.Add(("  baseline cpu per message", baseline.CpuPerMessage.Replace("docs/s", "msg/s")));
    var share = baseline is null ? "" : $"   ({N1(100 * result.PerSecond / baseline.PerSecond)}% of baseline)";
    rows.Add(("pipeline  publish->routed decision", $"{N0(result.PerSecond)} docs/s{share}   ({N1(result.Seconds)} s)"));
    rows.Add(("latency   p50 / p95 / p99", Triple(result.LatenciesMs) + $" ms   (max {N0(result.LatenciesMs.LastOrDefault(double.NaN))})"));
    rows.Add(("  publish -> saga decided (intake+saga)", Triple(result.IntakeMs) + " ms"));
    rows.Add(("  saga decided -> decision out (commit+relay)", Triple(result.RelayMs) + " ms"));
    rows.Add(("cpu", result.Cpu));
    rows.Add(("cpu per document", result.CpuPerDocument));
    rows.Add(("postgres", result.Statements[0]));
    rows.Add(("outcomes", string.Join(", ", result.Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))));

    var width = rows.Max(r => r.Name.Length) + 1;
    Console.WriteLine();
    Console.WriteLine($"ReviewFlow end-to-end benchmark ({N0(documents)} documents, {Environment.ProcessorCount} cores; after {N0(warmUp)} warm-up documents and {settleSeconds} s)");
    foreach (var (name, value) in rows) Console.WriteLine($"{name.PadRight(width)}: {value}");
    foreach (var line in result.Statements.Skip(1)) Console.WriteLine(line);
    Console.WriteLine($"duplicates: {result.DuplicateMessageIds} by message id, {result.DuplicateDocumentIds} by documentId; missing: {result.Missing}"
        + (result.Foreign > 0 ? $"; unexpected decisions: {result.Foreign}" : "")
        + (result.WrongRoutingKeys > 0 ? $"; wrong routing keys: {result.WrongRoutingKeys}" : ""));
    if (rate > 0) Console.WriteLine($"publish rate: {N0(rate)} docs/s (open loop)");
    if (postgresOptions is not null) Console.WriteLine($"postgres options: {postgresOptions}");
    if (overrides.Count > 0) Console.WriteLine($"overrides: {string.Join(", ", overrides.Select(o => $"{o.Key}={o.Value}"))}");
    foreach (var line in result.DuplicateDetails.Take(20)) Console.WriteLine($"  duplicate {line}");
    if (result.Missing > 0)
        Console.WriteLine($"  missing: {string.Join(", ", result.MissingIds.Take(20))}{(result.Missing > 20 ? ", …" : "")}");
    if (result.TimedOut)
        Console.WriteLine($"FAILED: {result.Missing} of {documents} documents had no decision within the time limit (max(120 s, N/50 s))");

    // Redeliveries of one decision (same message id) are allowed by the contract; two different decisions are not.
    if (result.DecidedTwice > 0)
        Console.WriteLine($"FAILED: {result.DecidedTwice} documents got two different decisions (different message ids)");
    return result.Missing > 0 || result.DecidedTwice > 0 ? 1 : 0;
}
catch (Exception ex) when (BenchmarkException.IsSetupFailure(ex))
{
    Console.Error.WriteLine($"FAILED: {ex.Message}");
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

string Next(ref int i) =>
    ++i < args.Length ? args[i] : throw new BenchmarkException($"{args[i - 1]} needs a value");

static int PositiveInt(string value, string name) =>
    int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new BenchmarkException($"{name} must be a positive number");

static string Triple(double[] sorted) => $"{N0(Percentile(sorted, 50))} / {N0(Percentile(sorted, 95))} / {N0(Percentile(sorted, 99))}";
