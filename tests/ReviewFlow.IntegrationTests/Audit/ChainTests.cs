using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace ReviewFlow.IntegrationTests.Audit;

/// <summary>
/// The hash chain against a superuser who edits PostgreSQL directly: a changed event is named, a deleted one leaves a
/// named gap, and the whole-store verification job finds the same. Its own system: the tampering must not reach the
/// shared one.
/// </summary>
public sealed class ChainTests : IClassFixture<ChainTests.OwnSystem>
{
    public sealed class OwnSystem : IAsyncLifetime
    {
        public TestSystem System { get; } = new();
        public Task InitializeAsync() => System.InitializeAsync();
        public Task DisposeAsync() => System.DisposeAsync();
    }

    readonly TestSystem _system;

    public ChainTests(OwnSystem own) => _system = own.System;

    [Fact]
    public async Task Every_event_is_chained_in_its_own_transaction_and_an_untouched_document_verifies_intact()
    {
        var id = await _system.RoutedAsync();
        var auditor = await _system.ClientAsync("audrey");
        var result = await auditor.VerifyAsync(id);
        Assert.Equal("intact", result.GetProperty("status").GetString());
        Assert.Equal(3, result.GetProperty("eventsChecked").GetInt32()); // received, routing decided, routed
        Assert.Equal(64, result.GetProperty("headHash").GetString()!.Length);
    }

    [Fact]
    public async Task Changing_one_events_data_in_postgresql_names_that_event()
    {
        var id = await _system.RoutedAsync();
        var auditor = await _system.ClientAsync("audrey");
        Assert.Equal("intact", (await auditor.VerifyAsync(id)).GetProperty("status").GetString());

        var changed = await _system.AsSuperuserAsync(
            "UPDATE {schema}.mt_events SET data = jsonb_set(data, '{finalLabel}', '\"telecom\"') WHERE stream_id = $1 AND version = 3", id);
        Assert.Equal(1, changed);

        var result = await auditor.VerifyAsync(id);
        Assert.Equal("mismatch", result.GetProperty("status").GetString());
        var mismatch = result.GetProperty("firstMismatch");
        Assert.Equal(id, mismatch.GetProperty("streamId").GetString());
        Assert.Equal(3, mismatch.GetProperty("version").GetInt64());
        Assert.StartsWith("content changed", mismatch.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Deleting_one_event_names_the_gap_and_deleting_its_chain_entry_too_still_does()
    {
        var auditor = await _system.ClientAsync("audrey");
        var id = await _system.RoutedAsync();
        Assert.Equal(1, await _system.AsSuperuserAsync("DELETE FROM {schema}.mt_events WHERE stream_id = $1 AND version = 2", id));
        var mismatch = (await auditor.VerifyAsync(id)).GetProperty("firstMismatch");
        Assert.Equal(2, mismatch.GetProperty("version").GetInt64());
        Assert.StartsWith("event deleted", mismatch.GetProperty("problem").GetString());

        var other = await _system.RoutedAsync();
        await _system.AsSuperuserAsync("DELETE FROM {schema}.rf_event_chain WHERE stream_id = $1 AND version = 2", other);
        await _system.AsSuperuserAsync("DELETE FROM {schema}.mt_events WHERE stream_id = $1 AND version = 2", other);
        mismatch = (await auditor.VerifyAsync(other)).GetProperty("firstMismatch");
        Assert.Equal(3, mismatch.GetProperty("version").GetInt64());
        Assert.Contains("gap: version 2 missing", mismatch.GetProperty("problem").GetString());

        var last = await _system.RoutedAsync();
        await _system.AsSuperuserAsync("DELETE FROM {schema}.rf_event_chain WHERE stream_id = $1 AND version = 3", last);
        await _system.AsSuperuserAsync("DELETE FROM {schema}.mt_events WHERE stream_id = $1 AND version = 3", last);
        mismatch = (await auditor.VerifyAsync(last)).GetProperty("firstMismatch");
        Assert.Contains("events deleted at the end", mismatch.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task An_event_written_around_the_trigger_is_reported_as_unchained()
    {
        var auditor = await _system.ClientAsync("audrey");
        var id = await _system.RoutedAsync();
        await _system.AsSuperuserAsync("DELETE FROM {schema}.rf_event_chain WHERE stream_id = $1 AND version = 3", id);
        var result = await auditor.VerifyAsync(id);
        Assert.Equal(3, result.GetProperty("firstMismatch").GetProperty("version").GetInt64());
        Assert.StartsWith("event not chained", result.GetProperty("firstMismatch").GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Installing_the_chain_on_a_store_with_unchained_events_chains_them_first()
    {
        await _system.AsSuperuserAsync("DROP TRIGGER rf_chain_event ON {schema}.mt_events");
        var before = await _system.RoutedAsync();
        var auditor = await _system.ClientAsync("audrey");
        Assert.StartsWith("event not chained", (await auditor.VerifyAsync(before)).GetProperty("firstMismatch").GetProperty("problem").GetString());

        var installer = _system.Web.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ReviewFlow.Audit.Chain.AuditSchemaInstaller>().Single();
        await installer.StartAsync(CancellationToken.None);
        Assert.Equal("intact", (await auditor.VerifyAsync(before)).GetProperty("status").GetString());
        var after = await _system.RoutedAsync();
        Assert.Equal("intact", (await auditor.VerifyAsync(after)).GetProperty("status").GetString());
    }

    /// <summary>On a fresh system of its own, so that the other tests' tampering does not count.</summary>
    [Fact]
    public async Task The_whole_store_verification_runs_in_the_background_with_progress_and_names_the_first_mismatch()
    {
        await using var fresh = new OwnSystem();
        await fresh.InitializeAsync();
        var system = fresh.System;
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add(await system.RoutedAsync());
        var auditor = await system.ClientAsync("audrey");

        var intact = await RunAsync(auditor);
        Assert.Equal("intact", intact.GetProperty("status").GetString());
        Assert.True(intact.GetProperty("streamsChecked").GetInt64() >= 13, "12 documents and the policy stream");
        Assert.Equal(intact.GetProperty("streamsTotal").GetInt64(), intact.GetProperty("streamsChecked").GetInt64());
        Assert.True(intact.GetProperty("eventsChecked").GetInt64() >= 37);

        var victim = ids.Order(StringComparer.Ordinal).ElementAt(5);
        await system.AsSuperuserAsync("UPDATE {schema}.mt_events SET data = jsonb_set(data, '{confidence}', '0.99') WHERE stream_id = $1 AND version = 2", victim);
        var mismatch = await RunAsync(await system.ClientAsync("ada")); // an admin may start it too
        Assert.Equal("mismatch", mismatch.GetProperty("status").GetString());
        Assert.Equal(victim, mismatch.GetProperty("firstMismatch").GetProperty("streamId").GetString());
        Assert.Equal(2, mismatch.GetProperty("firstMismatch").GetProperty("version").GetInt64());
    }

    static async Task<JsonElement> RunAsync(HttpClient http)
    {
        var start = await http.PostAsync("/api/v1/audit/verifications", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        return await Waiting.ForAsync(() => http.GetFromJsonAsync<JsonElement>(location),
            run => run.GetProperty("status").GetString() is "intact" or "mismatch" or "failed");
    }
}
