using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;

namespace ReviewFlow.IntegrationTests.Infrastructure;

public static class Waiting
{
    /// <summary>Polls GET /api/v1/documents/{id} until the document has the status (or times out with what it had).</summary>
    public static async Task<JsonElement> ForStatusAsync(this HttpClient http, string documentId, string status, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = "(not found)";
        while (DateTime.UtcNow < deadline)
        {
            var response = await http.GetAsync($"/api/v1/documents/{documentId}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var doc = await response.Content.ReadFromJsonAsync<JsonElement>();
                last = doc.GetProperty("status").GetString()!;
                if (last == status) return doc;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"document {documentId} is {last}, expected {status}");
    }

    public static async Task<IReadOnlyList<string>> EventTypesAsync(this IDocumentStore store, string documentId)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(documentId);
        return events.Select(e => e.Data.GetType().Name).ToList();
    }

    public static async Task<IReadOnlyList<JasperFx.Events.IEvent>> EventsAsync(this IDocumentStore store, string documentId)
    {
        await using var session = store.QuerySession();
        return await session.Events.FetchStreamAsync(documentId);
    }

    /// <summary>Polls until the condition holds (true) or the time is up (false).</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return await condition();
    }
}
