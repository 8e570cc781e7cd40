using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>RabbitMq:QuorumQueues=true (a cluster): the queues the workers own are quorum queues, and documents flow.</summary>
public sealed class QuorumQueueTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_quorum_queues_on_the_workers_queues_are_quorum_queues_and_decisions_flow()
    {
        var name = "q" + Guid.NewGuid().ToString("N")[..10];
        var (postgres, rabbit) = await Servers.IsolatedAsync(name);
        var vhost = "rf-" + name;
        using var worker = WorkerProcess.For("q", postgres, rabbit, name, new() { ["RabbitMq__QuorumQueues"] = "true" });
        worker.Start();
        await using var probe = await AmqpProbe.ConnectAsync(rabbit);
        try
        {
            string[] owned = ["reviewflow-classifications", "reviewflow-classifications-typed", "reviewflow-documents"];
            var types = await Waiting.ForAsync(() => Servers.QueueTypesAsync(vhost), t => owned.All(t.ContainsKey),
                HostProcess.StartTimeout, "the worker's queues", interval: TimeSpan.FromMilliseconds(500));
            Assert.All(owned, q => Assert.Equal("quorum", types[q]));

            var id = Documents.NewId();
            await Waiting.UntilAsync(() => Task.FromResult(probe.Decisions.Any(d => d.DocumentId == id)), TimeSpan.FromSeconds(60),
                "a decision through quorum queues", () => probe.PublishRawAsync(Documents.Json(id, confidence: 0.99)),
                TimeSpan.FromSeconds(1));
        }
        catch
        {
            output.WriteLine(worker.Tail());
            throw;
        }
    }
}
