using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace ReviewFlow.Testing;

/// <summary>
/// A reviewer as the queue page behaves, without the browser: a hub connection on /hubs/review (bearer token from the
/// development sign-in, automatic reconnect) that records every "taskChanged", and a loop that works the queue over
/// HTTP (POST /api/v1/reviews/next, then confirm the task), taking a refused task (409, 404) as the page does: on to
/// the next one. Requests that fail otherwise (a node killed under them, a server restarting) are counted and tried
/// again a moment later.
/// </summary>
public sealed class ReviewerClient : IAsyncDisposable
{
    readonly HttpClient _http;
    readonly CancellationTokenSource _stop = new();
    readonly ConcurrentDictionary<string, long> _requested = new(StringComparer.Ordinal); // document → Stopwatch ticks
    readonly ConcurrentQueue<string> _failures = new();
    Task _working = Task.CompletedTask;
    int _decided, _refused, _reconnects;

    ReviewerClient(string user, Uri site, HubConnection hub, HttpClient http)
    {
        User = user;
        Site = site;
        Hub = hub;
        _http = http;
    }

    public string User { get; }

    /// <summary>Where the client connects (a node, or a proxy in front of nodes).</summary>
    public Uri Site { get; }

    public HubConnection Hub { get; }

    /// <summary>Tasks this reviewer confirmed (the web host answered 2xx).</summary>
    public int Decided => Volatile.Read(ref _decided);

    /// <summary>Claims or decisions refused (409, 404): someone else was faster, or the lease lapsed.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Times the hub connection came back after it was lost.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Requests that failed otherwise (5xx, connection reset, timeout), with what happened.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Signs in on <paramref name="site"/> and connects to the hub there; the queue is worked after <see cref="StartWorking"/>.</summary>
    public static async Task<ReviewerClient> ConnectAsync(string user, Uri site, CancellationToken cancellationToken = default)
    {
        var http = new HttpClient { BaseAddress = site, Timeout = TimeSpan.FromSeconds(30) };
        var token = await DevTokens.GetAsync(http, user, cancellationToken: cancellationToken);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(site, "hubs/review"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2),
                TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)])
            .Build();
        var client = new ReviewerClient(user, site, hub, http);
        hub.On<JsonElement>("taskChanged", t =>
        {
            if (t.GetProperty("change").GetString() == "requested")
                client._requested.TryAdd(t.GetProperty("documentId").GetString()!, Stopwatch.GetTimestamp());
        });
        hub.Reconnected += _ =>
        {
            Interlocked.Increment(ref client._reconnects);
            return Task.CompletedTask;
        };
        await hub.StartAsync(cancellationToken);
        return client;
    }

    /// <summary>Whether a "taskChanged" announcing <paramref name="documentId"/> as a new task reached this client.</summary>
    public bool SawRequested(string documentId) => _requested.ContainsKey(documentId);

    /// <summary>Works the queue until disposed: next, confirm, next…; waits <paramref name="idle"/> when nothing is left.</summary>
    public void StartWorking(TimeSpan idle) => _working = Task.Run(() => WorkAsync(idle, _stop.Token));

    async Task WorkAsync(TimeSpan idle, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var next = await _http.PostAsync("/api/v1/reviews/next", null, stop);
                if (next.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
                {
                    if (next.StatusCode == HttpStatusCode.Conflict) Interlocked.Increment(ref _refused);
                    await Task.Delay(idle, stop);
                    continue;
                }
                if (!next.IsSuccessStatusCode)
                {
                    await FailedAsync($"next: {(int)next.StatusCode}", stop);
                    continue;
                }
                var id = (await next.Content.ReadFromJsonAsync<JsonElement>(stop)).GetProperty("documentId").GetString()!;
                using var decision = await _http.PostAsJsonAsync($"/api/v1/reviews/{Uri.EscapeDataString(id)}/decision",
                    new { outcome = "confirm" }, stop);
                if (decision.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict) Interlocked.Increment(ref _refused);
                else if (decision.IsSuccessStatusCode) Interlocked.Increment(ref _decided);
                else await FailedAsync($"decision {id}: {(int)decision.StatusCode}", stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
            {
                await FailedAsync($"{e.GetType().Name}: {e.Message}", stop);
            }
        }
    }

    async Task FailedAsync(string what, CancellationToken stop)
    {
        _failures.Enqueue(what);
        try
        {
            await Task.Delay(500, stop);
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return; // disposed already
        await _stop.CancelAsync();
        await _working;
        await Hub.DisposeAsync();
        _http.Dispose();
    }
}
