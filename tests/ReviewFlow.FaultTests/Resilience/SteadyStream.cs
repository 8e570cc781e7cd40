using System.Diagnostics;

namespace ReviewFlow.FaultTests.Resilience;

/// <summary>What upstream sent: a confident document, one that needs a reviewer, or hostile input.</summary>
public enum Sent { Confident, Review, Hostile }

/// <summary>One message the stream published (confirmed by the broker), with the scenario it was published in.</summary>
public sealed record Published(string Id, Sent Kind, int Scenario, long At);

/// <summary>
/// Upstream at a steady rate for the whole fault suite: of every 20 documents one is hostile input (its marker on the
/// error queue tells it apart) and two need review (confidence 0.5), the rest are confident (0.97). Published through
/// <see cref="ResilientAmqp"/>, which re-publishes what the broker did not confirm; a broker outage holds the stream
/// back as it would hold a real upstream, and the schedule starts afresh after it rather than bursting the backlog.
/// </summary>
public sealed class SteadyStream(ResilientAmqp amqp, string prefix, int rate) : IAsyncDisposable
{
    readonly List<Published> _published = [];
    readonly CancellationTokenSource _stop = new();
    Task _running = Task.CompletedTask;
    int _scenario;

    /// <summary>Every stream id of a valid document starts with it (the checks' SQL selects by it).</summary>
    public string Prefix => prefix;

    /// <summary>The scenario the next documents count for.</summary>
    public int Scenario
    {
        get => Volatile.Read(ref _scenario);
        set => Volatile.Write(ref _scenario, value);
    }

    public IReadOnlyList<Published> All
    {
        get { lock (_published) return _published.ToList(); }
    }

    /// <summary>The valid documents published so far (confident and review), each expecting one decision downstream.</summary>
    public IReadOnlyList<Published> Valid => All.Where(p => p.Kind != Sent.Hostile).ToList();

    public void Start() => _running = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Publishes one document outside the schedule (e.g. a probe task), recorded like the others.</summary>
    public async Task<string> PublishAsync(Sent kind, string tag)
    {
        var id = $"{prefix}{Scenario}-{tag}";
        await amqp.PublishRawAsync(Body(id, kind, 0));
        Record(id, kind);
        return id;
    }

    async Task RunAsync(CancellationToken stop)
    {
        var schedule = Stopwatch.StartNew();
        var due = 0L;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var kind = (n % 20) switch { 10 => Sent.Hostile, 3 or 13 => Sent.Review, _ => Sent.Confident };
            var id = kind == Sent.Hostile ? $"HOSTILE-{prefix}{n:D6}" : $"{prefix}{Scenario}-{n:D6}";
            // Not cancelled half-way: a message the broker took but the checks do not know of would be a false finding.
            await amqp.PublishRawAsync(Body(id, kind, n));
            Record(id, kind);
            due++;
            var wait = due * 1000.0 / rate - schedule.Elapsed.TotalMilliseconds;
            if (wait < -1000) (schedule, due) = (Stopwatch.StartNew(), 0); // held back by an outage: no burst after it
            else if (wait >= 1) await Task.Delay(TimeSpan.FromMilliseconds(wait), CancellationToken.None);
        }
    }

    static string Body(string id, Sent kind, int n) => kind switch
    {
        Sent.Hostile => Documents.Hostile(id, readableId: n / 20 % 2 == 0),
        Sent.Review => Documents.Json(id, confidence: 0.5),
        _ => Documents.Json(id, confidence: 0.97),
    };

    void Record(string id, Sent kind)
    {
        lock (_published) _published.Add(new Published(id, kind, Scenario, Stopwatch.GetTimestamp()));
    }

    /// <summary>Stops the stream after the message in hand is confirmed; once stopped, again does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _running;
    }
}
