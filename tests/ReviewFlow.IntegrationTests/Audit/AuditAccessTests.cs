using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Marten;
using Npgsql;
using ReviewFlow.Audit.Chain;
using ReviewFlow.Audit.Retention;
using ReviewFlow.Workflow.Documents;
using Weasel.Core;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>Who may do what: the auditor reads and changes nothing, others cannot read the audit, the database role cannot rewrite events.</summary>
[Collection(SystemCollection.Name)]
public sealed class AuditAccessTests(TestSystem system)
{
    static readonly string[] AuditReads =
    [
        "/api/v1/audit/decisions?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
        "/api/v1/audit/documents/ANY-1/timeline",
        "/api/v1/audit/verify?documentId=ANY-1",
        "/api/v1/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&format=csv",
        "/api/v1/audit/exports/00000000-0000-0000-0000-000000000001/manifest",
        "/api/v1/audit/reports/overrides?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
        "/api/v1/audit/reports/sla-breaches?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
        "/api/v1/audit/reports/segregation?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
        "/api/v1/audit/reports/policy-history",
        "/api/v1/audit/verifications/00000000-0000-0000-0000-000000000001",
    ];

    [Fact]
    public async Task Reviewers_supervisors_and_upstream_systems_cannot_read_the_audit_api_and_anonymous_callers_are_refused()
    {
        foreach (var user in new[] { "alice", "sam", "ap-inbox" })
        {
            var http = await system.ClientAsync(user);
            foreach (var path in AuditReads)
                Assert.True(HttpStatusCode.Forbidden == (await http.GetAsync(path)).StatusCode, $"{user} GET {path}");
            Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/v1/audit/verifications", null)).StatusCode);
        }
        var anonymous = system.Web.CreateClient();
        foreach (var path in AuditReads)
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        var auditor = await system.ClientAsync("audrey");
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(AuditReads[0])).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await auditor.GetAsync(AuditReads[8])).StatusCode);
    }

    [Fact]
    public async Task An_auditor_is_refused_every_state_changing_endpoint_and_the_document_stays_as_it_was()
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5));
        await (await system.ClientAsync()).ForStatusAsync(id, "AwaitingReview");
        var before = await system.Store.EventTypesAsync(id);

        var audrey = await system.ClientAsync("audrey");
        var json = (object body) => new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        var attempts = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, $"/api/v1/reviews/{id}/claim", null),
            (HttpMethod.Post, $"/api/v1/reviews/{id}/release", null),
            (HttpMethod.Post, $"/api/v1/reviews/{id}/decision", new { outcome = "confirm" }),
            (HttpMethod.Post, "/api/v1/reviews/bulk-confirm", new { documentIds = new[] { id } }),
            (HttpMethod.Post, "/api/v1/documents", JsonDocument.Parse(Documents.Json(Documents.NewId())).RootElement),
            (HttpMethod.Put, "/api/v1/admin/routing-policy", new { policy = TestPolicy.WithInvoiceThreshold(0.1), reason = "x" }),
            (HttpMethod.Post, "/api/v1/admin/archival", new { before = "2000-01-01T00:00:00Z", reason = "x" }),
        };
        foreach (var (method, path, body) in attempts)
        {
            var response = await audrey.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : json(body) });
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {response.StatusCode}");
        }
        Assert.Equal(before, await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task Archival_refuses_anything_inside_the_retention_period_needs_a_reason_and_is_itself_recorded()
    {
        var ada = await system.ClientAsync("ada");
        var recent = await ada.PostAsJsonAsync("/api/v1/admin/archival", new { before = DateTimeOffset.UtcNow.AddYears(-6), reason = "disk space" });
        Assert.Equal(HttpStatusCode.Conflict, recent.StatusCode);
        Assert.Contains("retention", (await recent.Content.ReadAsStringAsync()).ToLowerInvariant());
        Assert.Equal(HttpStatusCode.BadRequest,
            (await ada.PostAsJsonAsync("/api/v1/admin/archival", new { before = DateTimeOffset.UtcNow.AddYears(-8), reason = "" })).StatusCode);

        var old = await ada.PostAsJsonAsync("/api/v1/admin/archival", new { before = DateTimeOffset.UtcNow.AddYears(-8), reason = "retention ended" });
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        var recorded = (await system.Store.EventsAsync(Archival.StreamKey)).Select(e => e.Data).OfType<EventsArchived>().Last();
        Assert.Equal(("ada", "retention ended", 0L), (recorded.ArchivedBy, recorded.Reason, recorded.EventCount));
    }

    /// <summary>
    /// The services' role (granted by EventChainSql.GrantAppRole, as the installer does with Audit:AppRole) appends through
    /// Marten's real path, the trigger chains it, and it cannot UPDATE, DELETE or TRUNCATE events or touch the chain.
    /// </summary>
    [Fact]
    public async Task The_app_database_role_appends_events_but_cannot_update_delete_or_truncate_them_or_write_the_chain()
    {
        var role = "rf_app_" + system.Schema;
        await system.AsSuperuserAsync($"CREATE ROLE \"{role}\" LOGIN");
        try
        {
            await system.AsSuperuserAsync(EventChainSql.GrantAppRole(system.Schema, role));
            var appConnection = new NpgsqlConnectionStringBuilder(system.PostgresConnection) { Username = role, Pooling = false }.ConnectionString;

            using var store = DocumentStore.For(opts =>
            {
                opts.Connection(appConnection);
                opts.DatabaseSchemaName = system.Schema;
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
                opts.Events.StreamIdentity = StreamIdentity.AsString;
                opts.Events.AppendMode = EventAppendMode.Quick;
                opts.Events.AddEventType<ClassificationRejected>();
                opts.AutoCreateSchemaObjects = AutoCreate.None;
            });
            var id = Documents.NewId("APP");
            await using (var session = store.LightweightSession())
            {
                session.Events.StartStream(id, new ClassificationRejected(id, ["confidence: out of range"], "amqp", null, "system", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            }
            await using (var session = store.LightweightSession())
            {
                session.Events.Append(id, 2, new ClassificationRejected(id, ["label: missing"], "amqp", null, "system", DateTimeOffset.UtcNow));
                await session.SaveChangesAsync();
            }
            var verified = await (await system.ClientAsync("audrey")).VerifyAsync(id);
            Assert.Equal(("intact", 2), (verified.GetProperty("status").GetString(), verified.GetProperty("eventsChecked").GetInt32()));

            await using var app = new NpgsqlConnection(appConnection);
            await app.OpenAsync();
            foreach (var sql in new[]
            {
                "UPDATE {s}.mt_events SET data = '{}' WHERE stream_id = $1",
                "DELETE FROM {s}.mt_events WHERE stream_id = $1",
                "TRUNCATE {s}.mt_events",
                "DELETE FROM {s}.mt_streams WHERE id = $1",
                "UPDATE {s}.rf_event_chain SET hash = prev_hash WHERE stream_id = $1",
                "DELETE FROM {s}.rf_event_chain WHERE stream_id = $1",
                "INSERT INTO {s}.rf_event_chain SELECT seq_id + 1000000, stream_id, version, at, prev_hash, hash FROM {s}.rf_event_chain WHERE stream_id = $1",
                "TRUNCATE {s}.rf_event_chain",
            })
            {
                await using var command = new NpgsqlCommand(sql.Replace("{s}", system.Schema), app);
                if (sql.Contains("$1")) command.Parameters.Add(new NpgsqlParameter { Value = id });
                var denied = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
                Assert.True(denied.SqlState == PostgresErrorCodes.InsufficientPrivilege, sql + ": " + denied.Message);
            }
            await using var read = new NpgsqlCommand($"SELECT count(*) FROM {system.Schema}.mt_events WHERE stream_id = $1", app)
            {
                Parameters = { new() { Value = id } },
            };
            Assert.Equal(2L, await read.ExecuteScalarAsync());
        }
        finally
        {
            await system.AsSuperuserAsync($"DROP OWNED BY \"{role}\"; DROP ROLE \"{role}\"");
        }
    }
}
