using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReviewFlow.Testing;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// Decisions for the quality and policy pages, made the real way: classifications published on the broker (the AMQP
/// probe), reviews claimed and decided by alice through the HTTP API; the worker's quality counter fills rf_quality.
/// </summary>
public sealed class QualityData(BrowserSystem b)
{
    HttpClient? _alice, _ada;

    /// <summary>Publishes a document (an invoice unless said) classified as <paramref name="label"/>; returns its id.</summary>
    public async Task<string> PublishAsync(string label, double confidence, string modelVersion = "2026.11.1", string documentType = "invoice")
    {
        var id = Documents.NewId("QLT");
        await b.System.Amqp.PublishRawAsync(Documents.Json(id, documentType, label, confidence, modelVersion,
            alternatives: [("telecom", Math.Round((1 - confidence) / 2, 2))]));
        return id;
    }

    /// <summary>alice claims and confirms the document, or corrects it to <paramref name="correctTo"/>.</summary>
    public async Task DecideAsync(string id, string? correctTo = null)
    {
        var alice = _alice ??= await b.ClientAsync("alice");
        await Waiting.UntilAsync(async () => (await alice.PostAsync($"api/v1/reviews/{id}/claim", null)).IsSuccessStatusCode,
            TimeSpan.FromSeconds(30), $"alice's claim of {id}");
        var decided = await alice.PostAsJsonAsync($"api/v1/reviews/{id}/decision", correctTo is null
            ? new { outcome = "confirm" }
            : (object)new { outcome = "correct", label = correctTo, reasonCode = "wrong-label" });
        Assert.True(decided.IsSuccessStatusCode, await decided.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Adopts the active policy with <paramref name="edit"/> applied (every other field as read) as ada, If-Match the
    /// version read; returns that version. The routing takes a new version within its refresh interval (5 s).
    /// </summary>
    public async Task<int> AdoptAsync(Action<JsonObject> edit, string reason)
    {
        var ada = _ada ??= await b.ClientAsync("ada");
        var policy = (await ada.GetFromJsonAsync<JsonObject>("api/v1/admin/routing-policy"))!;
        var read = (int)policy["version"]!;
        edit(policy);
        using var put = new HttpRequestMessage(HttpMethod.Put, "api/v1/admin/routing-policy")
        {
            Content = JsonContent.Create(new JsonObject { ["policy"] = policy, ["reason"] = reason }),
        };
        put.Headers.IfMatch.Add(new($"\"{read}\""));
        var adopted = await ada.SendAsync(put);
        Assert.True(adopted.IsSuccessStatusCode, await adopted.Content.ReadAsStringAsync());
        return read;
    }

    public static readonly TimeSpan PolicyRefresh = TimeSpan.FromSeconds(6);

    /// <summary>Waits until the quality summary for <paramref name="query"/> counts <paramref name="decided"/> decisions.</summary>
    public async Task<JsonElement> WaitUntilCountedAsync(string query, long decided)
    {
        var ada = _ada ??= await b.ClientAsync("ada");
        JsonElement summary = default;
        await Waiting.UntilAsync(async () =>
        {
            summary = await ada.GetFromJsonAsync<JsonElement>("api/v1/quality/summary?" + query);
            return summary.GetProperty("decided").GetInt64() >= decided;
        }, TimeSpan.FromSeconds(45), $"{decided} decisions counted for {query}");
        return summary;
    }
}
