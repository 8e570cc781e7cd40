using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>
/// Every worker queue whose handling publishes or sends to the broker bounds each attempt (Hosting/AttemptDeadline.cs):
/// without it, a send awaiting a confirm on a channel that died with the broker keeps the endpoint from restarting,
/// and the worker stops consuming that queue for good while it reports ready. Read from the running bus's own
/// description of its pipes (MassTransit's probe).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class AttemptDeadlineTopologyTests(TestSystem system, ITestOutputHelper output)
{
    [Theory]
    [InlineData("reviewflow-classifications")]
    [InlineData("reviewflow-classifications-typed")]
    [InlineData("reviewflow-documents")]
    public void The_queue_bounds_each_attempt_at_a_message(string queue)
    {
        var bus = system.Worker.Services.GetRequiredService<IBusControl>();
        using var probe = JsonDocument.Parse(JsonSerializer.Serialize(bus.GetProbeResult().Results));
        var endpoint = Endpoints(probe.RootElement).SingleOrDefault(e =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty("name", out var name) && name.GetString() == queue);
        Assert.True(endpoint.ValueKind != JsonValueKind.Undefined, $"no receive endpoint for {queue} in the bus's probe");
        output.WriteLine(endpoint.ToString()[..Math.Min(4000, endpoint.ToString().Length)]);
        Assert.Contains("\"attemptDeadline\"", endpoint.ToString());
    }

    /// <summary>The probe's receive endpoints, wherever they sit in its tree.</summary>
    static IEnumerable<JsonElement> Endpoints(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "receiveEndpoint")
                {
                    if (property.Value.ValueKind == JsonValueKind.Array) foreach (var e in property.Value.EnumerateArray()) yield return e;
                    else yield return property.Value;
                }
                else foreach (var e in Endpoints(property.Value)) yield return e;
            }
        else if (element.ValueKind == JsonValueKind.Array)
            foreach (var item in element.EnumerateArray())
                foreach (var e in Endpoints(item)) yield return e;
    }
}
