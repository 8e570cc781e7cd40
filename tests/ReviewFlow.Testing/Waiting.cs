using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;

namespace ReviewFlow.Testing;

/// <summary>The one way the tests and the benchmark wait for something: poll until it holds, or time out saying what.</summary>
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

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for what it returns, and returns that; throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> and the last value seen when the time is up.
    /// <paramref name="meanwhile"/> runs between tries (e.g. publishing again until a worker's binding exists).
    /// </summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null,
        Func<Task>? meanwhile = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = await probe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what ?? "the condition"} never came (last seen: {last})");
            if (meanwhile is not null) await meanwhile();
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
            last = await probe();
        }
        return last;
    }

    /// <summary>Polls until the condition holds; throws <see cref="TimeoutException"/> naming <paramref name="what"/> otherwise.</summary>
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<Task>? meanwhile = null,
        TimeSpan? interval = null) =>
        ForAsync(condition, ok => ok, timeout, what, meanwhile, interval);
}
