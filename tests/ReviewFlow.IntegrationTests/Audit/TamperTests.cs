using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ReviewFlow.Audit.Checkpoints;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// The audit proof against a superuser (the servers' postgres user) and against the services' own role: a chain
/// rewritten consistently is caught by the signed checkpoint kept outside the database, a changed DecisionRecord by
/// rebuilding it from its events, and a whole-store check lists every tampered stream (docs/adr/0013).
/// </summary>
public sealed class TamperTests : IClassFixture<TamperTests.OwnSystem>
{
    public sealed class OwnSystem : IAsyncLifetime
    {
        public string Sink { get; } = Path.Combine(Path.GetTempPath(), "rf-checkpoints-" + Guid.NewGuid().ToString("N")[..8]);
        public TestSystem System { get; }

        public OwnSystem() => System = TestSystem.With(new()
        {
            // The tests take their checkpoints themselves: the 10-minute one, taken just before a test's own, left it
            // nothing new to checkpoint ("no checkpoint taken", CI).
            Settings = new Dictionary<string, string?>
            {
                ["Audit:CheckpointSink"] = Sink, ["Audit:CheckpointLag"] = "00:00:00", ["Audit:CheckpointCron"] = Hangfire.Cron.Never(),
            },
        });

        public Task InitializeAsync() => System.InitializeAsync();

        public async Task DisposeAsync()
        {
            await System.DisposeAsync();
            if (Directory.Exists(Sink)) Directory.Delete(Sink, recursive: true);
        }
    }

    readonly OwnSystem _own;
    readonly TestSystem _system;

    public TamperTests(OwnSystem own) => (_own, _system) = (own, own.System);

    [Fact]
    public async Task Rewriting_an_event_and_its_chain_consistently_is_caught_by_the_signed_checkpoint()
    {
        var id = await _system.RoutedAsync();
        var checkpoint = await _system.CheckpointAsync();
        var auditor = await _system.ClientAsync("audrey");
        var before = await auditor.VerifyAsync(id);
        Assert.True(before.GetProperty("status").GetString() == "intact", before.ToString());
        Assert.Equal("sink", before.GetProperty("checkpoint").GetProperty("source").GetString());
        Assert.Equal(3, before.GetProperty("checkpoint").GetProperty("version").GetInt64());

        await _system.RewriteConsistentlyAsync(id, version: 2);

        var after = await auditor.VerifyAsync(id);
        Assert.Equal("mismatch", after.GetProperty("status").GetString());
        var problems = Problems(after.GetProperty("mismatches"));
        Assert.Contains(problems, p => p.StartsWith("checkpoint mismatch: the chain at version 3", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.StartsWith("content changed", StringComparison.Ordinal)); // the chain itself agrees

        // The downloaded file proves it with the public key alone: the signed head is not the chain's hash any more.
        var file = await auditor.GetFromJsonAsync<JsonElement>("/api/v1/audit/checkpoints");
        using var key = ECDsa.Create();
        key.ImportFromPem(file.GetProperty("publicKeys")[0].GetProperty("publicKeyPem").GetString());
        var signed = file.GetProperty("checkpoints").EnumerateArray().Single(c => c.GetProperty("number").GetInt64() == checkpoint.Number);
        var payload = Convert.FromBase64String(signed.GetProperty("payload").GetString()!);
        Assert.True(key.VerifyData(payload, Convert.FromBase64String(signed.GetProperty("signature").GetString()!), HashAlgorithmName.SHA256,
            DSASignatureFormat.Rfc3279DerSequence));
        var head = JsonDocument.Parse(payload).RootElement.GetProperty("heads").EnumerateArray().Single(h => h.GetProperty("streamId").GetString() == id);
        Assert.NotEqual(await _system.ChainHashAsync(id, 3), head.GetProperty("hash").GetString());
    }

    [Fact]
    public async Task A_changed_decision_record_is_found_by_rebuilding_it_from_the_events()
    {
        var auditor = await _system.ClientAsync("audrey");
        var id = await _system.RoutedAsync();
        var other = await _system.RoutedAsync();
        await _system.DecisionRecordAsync(id);
        await _system.DecisionRecordAsync(other);
        Assert.Equal("intact", (await auditor.VerifyAsync(id)).GetProperty("status").GetString());

        // What search and reports read, changed consistently (JSON and its indexed column), and only the column.
        await _system.AsSuperuserAsync("""
            UPDATE {schema}.mt_doc_audit_decision SET data = jsonb_set(data, '{finalLabel}', '"telecom"'), final_label = 'telecom' WHERE id = $1
            """, id);
        await _system.AsSuperuserAsync("UPDATE {schema}.mt_doc_audit_decision SET decided_by = 'mallory' WHERE id = $1", other);

        var changed = await auditor.VerifyAsync(id);
        Assert.Equal("mismatch", changed.GetProperty("status").GetString());
        Assert.Contains(Problems(changed.GetProperty("mismatches")), p => p.StartsWith("decision record differs", StringComparison.Ordinal) && p.Contains("finalLabel"));
        var column = await auditor.VerifyAsync(other);
        Assert.Contains(Problems(column.GetProperty("mismatches")), p => p.Contains("decidedBy (search column)"));
    }

    [Fact]
    public async Task The_whole_store_check_reports_every_tampered_stream_against_the_auditors_own_checkpoint_file()
    {
        var rewritten = await _system.RoutedAsync();
        var edited = await _system.RoutedAsync();
        var record = await _system.RoutedAsync();
        await _system.DecisionRecordAsync(record);
        await _system.CheckpointAsync();
        var auditor = await _system.ClientAsync("audrey");
        var kept = await auditor.GetStringAsync("/api/v1/audit/checkpoints"); // the auditor's copy, taken before the tampering

        await _system.RewriteConsistentlyAsync(rewritten, version: 2);
        await _system.AsSuperuserAsync("UPDATE {schema}.mt_events SET data = jsonb_set(data, '{confidence}', '0.42') WHERE stream_id = $1 AND version = 2", edited);
        await _system.AsSuperuserAsync("UPDATE {schema}.mt_doc_audit_decision SET data = jsonb_set(data, '{outcome}', '\"rejected\"') WHERE id = $1", record);
        // The database's copy of the checkpoints is no help to verification: deleting it changes nothing below.
        await _system.AsSuperuserAsync("DELETE FROM {schema}.rf_audit_checkpoint");

        var run = await RunAsync(auditor, kept);
        Assert.Equal("mismatch", run.GetProperty("status").GetString());
        Assert.Equal("auditor", run.GetProperty("checkpoints").GetProperty("source").GetString());
        var findings = run.GetProperty("mismatches").EnumerateArray()
            .Select(m => (Stream: m.GetProperty("streamId").GetString(), Problem: m.GetProperty("problem").GetString()!)).ToList();
        Assert.Contains(findings, f => f.Stream == rewritten && f.Problem.StartsWith("checkpoint mismatch", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Stream == edited && f.Problem.StartsWith("content changed", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Stream == record && f.Problem.StartsWith("decision record differs", StringComparison.Ordinal));
        Assert.True(run.GetProperty("mismatchCount").GetInt64() >= 3);

        // Without a file: the sink's copies, which the database's roles cannot reach, find the same.
        var fromSink = await RunAsync(await _system.ClientAsync("ada"), null);
        Assert.Equal("sink", fromSink.GetProperty("checkpoints").GetProperty("source").GetString());
        Assert.Contains(Problems(fromSink.GetProperty("mismatches")), p => p.StartsWith("checkpoint mismatch", StringComparison.Ordinal));

        // A checkpoint file altered after signing is itself a finding, and its heads are not used.
        var forged = kept.Replace("\"payload\":\"", "\"payload\":\"AAAA", StringComparison.Ordinal);
        var refused = await RunAsync(auditor, forged);
        Assert.Contains(Problems(refused.GetProperty("mismatches")), p => p.Contains("the signature does not match its payload") || p.Contains("not base64"));
    }

    static List<string> Problems(JsonElement mismatches) => mismatches.EnumerateArray().Select(m => m.GetProperty("problem").GetString()!).ToList();

    public static async Task<JsonElement> RunAsync(HttpClient http, string? checkpointFile)
    {
        var start = await http.PostAsync("/api/v1/audit/verifications",
            checkpointFile is null ? null : new StringContent(checkpointFile, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        return await Waiting.ForAsync(() => http.GetFromJsonAsync<JsonElement>(location),
            run => run.GetProperty("status").GetString() is "intact" or "mismatch" or "failed");
    }
}

/// <summary>The services' role inserting events itself, beside Marten: caught, however it dates them.</summary>
public sealed class ForgedAppendTests(AppRoleSystem system) : IClassFixture<AppRoleSystem>
{
    [Fact]
    public async Task An_event_the_services_role_inserts_outside_martens_append_is_reported_however_it_is_dated()
    {
        var id = await system.RoutedAsync();
        var auditor = await system.ClientAsync("audrey");
        Assert.Equal("intact", (await auditor.VerifyAsync(id)).GetProperty("status").GetString()); // Marten's appends, as the role

        await using var connection = new NpgsqlConnection(system.AppConnection);
        await connection.OpenAsync();
        var s = system.Schema;
        var forged = $$"""
            INSERT INTO {{s}}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, is_archived)
            VALUES (nextval('{{s}}.mt_events_sequence'), gen_random_uuid(), '{{id}}', {0},
                    jsonb_build_object('documentId', '{{id}}', 'reviewerId', 'mallory', 'outcome', 'corrected', 'actor', 'mallory', 'at', now() - interval '30 days'),
                    'review_decided', now() - interval '30 days', '*DEFAULT*', 'ReviewFlow.Workflow.Documents.ReviewDecided, ReviewFlow.Workflow', false);
            UPDATE {{s}}.mt_streams SET version = {0} WHERE id = '{{id}}';
            """;
        // Back-dated, straight in; then the same wrapped in a DO block whose text names Marten's function.
        await new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, forged, 4), connection).ExecuteNonQueryAsync();
        await new NpgsqlCommand($"DO $do$ BEGIN EXECUTE $x$ {string.Format(System.Globalization.CultureInfo.InvariantCulture, forged, 5)} " +
            $"-- PL/pgSQL function {s}.mt_quick_append_events(x) line 1 at SQL statement\n$x$; END $do$", connection).ExecuteNonQueryAsync();
        // Nor may the role chain a row itself.
        var chain = await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand($"SELECT {s}.rf_chain_row(1, 'marten')", connection).ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, chain.SqlState);

        var result = await auditor.VerifyAsync(id);
        Assert.Equal("mismatch", result.GetProperty("status").GetString());
        var direct = result.GetProperty("mismatches").EnumerateArray()
            .Where(m => m.GetProperty("problem").GetString()!.StartsWith("not appended through Marten", StringComparison.Ordinal)).ToList();
        Assert.Equal([4L, 5L], direct.Select(m => m.GetProperty("version").GetInt64()));
        Assert.Contains(AppRoleSystem.Role, direct[0].GetProperty("problem").GetString());

        // Once checkpointed, a superuser relabelling the forged rows as Marten's is caught by the auditor's file.
        await system.CheckpointAsync();
        var file = await auditor.GetStringAsync("/api/v1/audit/checkpoints");
        await system.AsSuperuserAsync("UPDATE {schema}.rf_event_chain SET via = 'marten', appended_by = 'postgres' WHERE stream_id = $1 AND via = 'direct'", id);
        var run = await TamperTests.RunAsync(auditor, file);
        var relabelled = run.GetProperty("mismatches").EnumerateArray()
            .Where(m => m.GetProperty("streamId").GetString() == id && m.GetProperty("problem").GetString()!.StartsWith("provenance rewritten", StringComparison.Ordinal));
        Assert.Equal([4L, 5L], relabelled.Select(m => m.GetProperty("version").GetInt64()));
    }
}

static class TamperSupport
{
    public static Task<SignedCheckpoint> CheckpointAsync(this TestSystem system) =>
        system.Worker.Services.GetRequiredService<CheckpointJob>().TakeAsync(CancellationToken.None)!
            .ContinueWith(t => t.Result ?? throw new InvalidOperationException("no checkpoint taken"), TaskScheduler.Default);

    /// <summary>What a superuser covering their tracks does: change an event, then recompute that stream's whole chain.</summary>
    public static Task RewriteConsistentlyAsync(this TestSystem system, string streamId, long version) =>
        system.AsSuperuserAsync($$"""
            UPDATE {schema}.mt_events SET data = jsonb_set(data, '{actor}', '"mallory"') WHERE stream_id = '{{streamId}}' AND version = {{version}};
            DO $do$
            DECLARE
                prev bytea := decode(repeat('00', 32), 'hex');
                e record;
            BEGIN
                FOR e IN SELECT * FROM {schema}.mt_events WHERE stream_id = '{{streamId}}' ORDER BY version LOOP
                    UPDATE {schema}.rf_event_chain
                       SET prev_hash = prev, hash = {schema}.rf_event_hash(prev, e.stream_id, e.version, e.seq_id, e.id, e.type, e.data, e.timestamp)
                     WHERE seq_id = e.seq_id RETURNING hash INTO prev;
                END LOOP;
            END
            $do$;
            """);

    public static async Task<string> ChainHashAsync(this TestSystem system, string streamId, long version)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT encode(hash, 'hex') FROM {system.Schema}.rf_event_chain WHERE stream_id = $1 AND version = $2", connection)
            { Parameters = { new() { Value = streamId }, new() { Value = version } } };
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits for the async projection to have written the document's DecisionRecord with its outcome.</summary>
    public static async Task DecisionRecordAsync(this TestSystem system, string documentId)
    {
        await using var connection = new NpgsqlConnection(system.PostgresConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {system.Schema}.mt_doc_audit_decision WHERE id = $1 AND outcome IS NOT NULL", connection)
            { Parameters = { new() { Value = documentId } } };
        await Waiting.UntilAsync(async () => (long)(await command.ExecuteScalarAsync())! == 1, TimeSpan.FromSeconds(30), "the decision record");
    }
}
