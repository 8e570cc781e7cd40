using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using ReviewFlow.Audit;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// The deployment the DBA docs describe: the schema's owner migrates (`ReviewFlow.Worker --migrate`), then the worker
/// and the web host run as the services' role, which cannot change the schema nor rewrite an event.
/// </summary>
public sealed class AppRoleSystem() : TestSystem(new SystemOptions())
{
    public const string Role = "reviewflow_app";

    public string AppConnection => new NpgsqlConnectionStringBuilder(PostgresConnection) { Username = Role, Password = null }.ConnectionString;

    protected override async Task BeforeHostsStartAsync()
    {
        await using (var connection = new NpgsqlConnection(PostgresConnection))
        {
            await connection.OpenAsync();
            // infra/servers.sh creates it; a Testcontainers server does not.
            await using var role = new NpgsqlCommand(
                $"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{Role}') THEN CREATE ROLE {Role} LOGIN; END IF; END $$", connection);
            await role.ExecuteNonQueryAsync();
        }
        // What `ReviewFlow.Worker --migrate` does, as the owner (the connection the test servers give us).
        using var migrator = BuildWorker(new Dictionary<string, string?>(Settings)
        {
            ["ConnectionStrings:Postgres"] = PostgresConnection,
            ["Database:Migrate"] = "true",
            ["Audit:AppRole"] = Role,
        });
        await DatabaseMigration.RunAsync(migrator.Services);
    }

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings() => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = AppConnection,
        ["Database:Migrate"] = "false",
        ["Audit:CheckpointLag"] = "00:00:00", // ForgedAppendTests checkpoints what it just wrote
        ["Audit:CheckpointCron"] = Hangfire.Cron.Never(), // and takes its checkpoints itself (TamperTests says why)
    };
}

public sealed class AppRoleTests(AppRoleSystem system) : IClassFixture<AppRoleSystem>
{
    [Fact]
    public async Task The_whole_system_runs_as_the_services_role_which_cannot_rewrite_an_event()
    {
        // Routed automatically, and reviewed by a person: events, saga state, projections, timers, all as the role.
        var auto = Documents.NewId();
        var reviewed = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(auto, confidence: 0.99));
        await system.Amqp.PublishRawAsync(Documents.Json(reviewed, confidence: 0.5));
        await system.Amqp.WaitForDecisionsAsync(d => d.DocumentId == auto, 1, TimeSpan.FromSeconds(30));
        var alice = await system.ClientAsync("alice");
        await alice.ForStatusAsync(reviewed, "AwaitingReview");
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/reviews/{reviewed}/claim", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/reviews/{reviewed}/decision",
            new { outcome = "correct", label = "telecom", reasonCode = "wrong-vendor" })).StatusCode);
        await system.Amqp.WaitForDecisionsAsync(d => d.DocumentId == reviewed, 1, TimeSpan.FromSeconds(30));

        var audrey = await system.ClientAsync("audrey");
        var verified = await audrey.GetFromJsonAsync<JsonElement>($"/api/v1/audit/verify?documentId={reviewed}");
        Assert.Equal("intact", verified.GetProperty("status").GetString());

        // What the hosts connected as may not rewrite history, nor change the schema.
        await using var connection = new NpgsqlConnection(system.AppConnection);
        await connection.OpenAsync();
        foreach (var sql in new[]
                 {
                     $"UPDATE {system.Schema}.mt_events SET data = '{{}}' WHERE stream_id = '{reviewed}'",
                     $"DELETE FROM {system.Schema}.mt_events WHERE stream_id = '{reviewed}'",
                     $"TRUNCATE {system.Schema}.mt_events",
                     $"DROP TRIGGER rf_chain_event ON {system.Schema}.mt_events",
                     $"CREATE TABLE {system.Schema}.sneaky (id int)",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{sql}: {refused.SqlState} {refused.MessageText}");
        }
        await using var who = new NpgsqlCommand("SELECT current_user", connection);
        Assert.Equal(AppRoleSystem.Role, await who.ExecuteScalarAsync());
        // The timers ran as the role too: alice's claim scheduled a lease job, which her decision deleted.
        await using var jobs = new NpgsqlCommand(
            $"SELECT count(*) FROM {system.Schema}_hangfire.job WHERE statename = 'Deleted' AND arguments::text LIKE '%{reviewed}%'", connection);
        await Waiting.UntilAsync(async () => (long)(await jobs.ExecuteScalarAsync())! >= 1, TimeSpan.FromSeconds(10),
            "the lease timer scheduled and cancelled");
    }
}
