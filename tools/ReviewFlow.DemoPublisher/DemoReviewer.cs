using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.DemoPublisher;

/// <summary>
/// A simulated reviewer for the demo: signs in on the web host's development sign-in (Development only), and every few
/// seconds claims open tasks that have waited at least <paramref name="delay"/> (so a person sees them first) and decides
/// them as a careful reviewer would: confirm when the model's label is the document's true label
/// (<c>metadata.expectedLabel</c>, which the generator knows), otherwise correct it. It never takes a four-eyes second
/// review or an escalation: those stay for people. Through the public HTTP API only, as a person's page would.
/// </summary>
public sealed class DemoReviewer(Uri site, string user, TimeSpan delay, TextWriter log)
{
    readonly HttpClient _http = new() { BaseAddress = site, Timeout = TimeSpan.FromSeconds(15) };

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (_http.DefaultRequestHeaders.Authorization is null) await SignInAsync(stop);
                await ReviewRoundAsync(stop);
            }
            catch (HttpRequestException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized)
            {
                _http.DefaultRequestHeaders.Authorization = null; // the token expired: sign in again
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !stop.IsCancellationRequested)
            {
                log.WriteLine($"simulated reviewer {user}: {ex.Message} (trying again)");
            }
            try { await Task.Delay(TimeSpan.FromSeconds(3), stop); } catch (OperationCanceledException) { }
        }
    }

    async Task SignInAsync(CancellationToken ct)
    {
        var response = await _http.PostAsJsonAsync("/api/v1/dev/token", new { user }, ct);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("accessToken").GetString();
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        log.WriteLine($"simulated reviewer {user} signed in on {site}");
    }

    async Task ReviewRoundAsync(CancellationToken ct)
    {
        var queue = await _http.GetFromJsonAsync<JsonElement>("/api/v1/queue?pageSize=50", ct);
        var due = DateTimeOffset.UtcNow - delay;
        var open = queue.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("status").GetString() == "AwaitingReview" && i.GetProperty("requestedAt").GetDateTimeOffset() <= due)
            .Select(i => i.GetProperty("documentId").GetString()!).Take(10).ToList();
        foreach (var id in open)
        {
            var path = $"/api/v1/reviews/{Uri.EscapeDataString(id)}";
            if (!(await _http.PostAsync($"{path}/claim", null, ct)).IsSuccessStatusCode) continue; // someone was quicker
            var (predicted, expected) = await LabelsAsync(id, ct);
            object decision = expected is null || expected == predicted
                ? new { outcome = "confirm" }
                : new { outcome = "correct", label = expected, reasonCode = "wrong-label", comment = "simulated reviewer (demo)" };
            var decided = await _http.PostAsJsonAsync($"{path}/decision", decision, ct);
            log.WriteLine($"simulated reviewer {user}: {id} {(expected is null || expected == predicted ? "confirmed" : $"corrected {predicted} -> {expected}")}" +
                          (decided.IsSuccessStatusCode ? "" : $" refused: {(int)decided.StatusCode}"));
        }
    }

    /// <summary>The model's label and the true one, from the document's ClassificationReceived.</summary>
    async Task<(string? Predicted, string? Expected)> LabelsAsync(string id, CancellationToken ct)
    {
        var history = await _http.GetFromJsonAsync<JsonElement[]>($"/api/v1/documents/{Uri.EscapeDataString(id)}/history", ct);
        var received = history!.FirstOrDefault(e => e.GetProperty("type").GetString() == "ClassificationReceived");
        if (received.ValueKind != JsonValueKind.Object) return (null, null);
        var classification = received.GetProperty("data").GetProperty("classification");
        var expected = classification.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object
                       && m.TryGetProperty("expectedLabel", out var e) ? e.GetString() : null;
        return (classification.GetProperty("label").GetString(), expected);
    }
}
