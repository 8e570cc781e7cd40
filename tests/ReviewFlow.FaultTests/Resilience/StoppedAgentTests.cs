using Npgsql;
using Xunit.Abstractions;

namespace ReviewFlow.FaultTests.Resilience;

/// <summary>
/// The decision relay's agent stopped by the daemon for good (its stored progression moved past it, as when two workers
/// briefly both led: the combined fault suite's wedge) is started again by the worker, and decisions flow again.
/// </summary>
public sealed class StoppedAgentTests(ITestOutputHelper output) : IAsyncLifetime
{
    readonly string _schema = "s" + Guid.NewGuid().ToString("N")[..10];
    string _postgres = "";
    string _rabbit = "";
    AmqpProbe _amqp = null!;

    public async Task InitializeAsync()
    {
        (_postgres, _rabbit) = await Servers.IsolatedAsync(_schema);
        _amqp = await AmqpProbe.ConnectAsync(_rabbit);
    }

    public async Task DisposeAsync() => await _amqp.DisposeAsync();

    [Fact]
    public async Task A_relay_stopped_because_its_progression_moved_past_it_is_started_again_and_publishes()
    {
        using var worker = WorkerProcess.For("w", _postgres, _rabbit, _schema);
        worker.Start();
        try
        {
            // Ready first (its schema migrated, its queues declared): on a busy CI machine that alone took over 90 s.
            await worker.WaitUntilAnswersAsync("/health/ready", TimeSpan.FromSeconds(180));
            var first = Documents.NewId("STOP");
            await _amqp.PublishRawAsync(Documents.Json(first, confidence: 0.99));
            await _amqp.WaitForDecisionAsync(first, TimeSpan.FromSeconds(120));

            // Another node's progress, as if it had led too: the relay's next progress write finds the row past it
            // and JasperFx stops the agent (ProgressionProgressOutOfOrderException), not pauses it.
            var moved = await ScalarAsync($"UPDATE {_schema}.mt_event_progression SET last_seq_id = last_seq_id + 1 WHERE name = 'decision-relay:All' RETURNING last_seq_id");
            output.WriteLine($"relay progression moved to {moved}");
            var second = Documents.NewId("STOP");
            await _amqp.PublishRawAsync(Documents.Json(second, confidence: 0.99));
            await Waiting.ForAsync(() => Task.FromResult(worker.Tail(400).Contains("decision-relay:All' is out of order")), stopped => stopped,
                TimeSpan.FromSeconds(30), "the relay stopped for an out-of-order progression");

            // Started again from the stored progression, it publishes what came since: this and a later document. A
            // later document the saga decides (it was Invalid first), as a new one's decision is sent by the intake itself.
            var third = Documents.NewId("STOP");
            await _amqp.PublishRawAsync(Documents.Json(third, confidence: 7));
            await Waiting.ForAsync(() => ScalarAsync($"SELECT count(*) FROM {_schema}.mt_streams WHERE id = '{third}'"), n => n is 1L,
                TimeSpan.FromSeconds(60), "the invalid result recorded");
            await _amqp.PublishRawAsync(Documents.Json(third, confidence: 0.99));
            var decided = await _amqp.WaitForDecisionAsync(third, TimeSpan.FromSeconds(60));
            Assert.Equal(third, decided.DocumentId);
            Assert.Contains("Starting the daemon agent decision-relay:All again", worker.Tail(2000));
        }
        catch
        {
            output.WriteLine(worker.Tail(120));
            throw;
        }
    }

    async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
