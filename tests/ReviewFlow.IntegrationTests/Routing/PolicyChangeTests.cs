using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.IntegrationTests.Routing;

/// <summary>A system of its own: these tests adopt policy versions, which would change how every other test routes.</summary>
public sealed class PolicySystem() : TestSystem(new SystemOptions());

/// <summary>
/// PUT /api/v1/admin/routing-policy names the version the change was made from: two admins editing the same version
/// cannot silently undo each other (seen before: claim 0.8 reverted to 0.85 by the second, credited to it), and a change
/// that changes nothing creates no version.
/// </summary>
public sealed class PolicyChangeTests(PolicySystem system) : IClassFixture<PolicySystem>
{
    const string Path = "/api/v1/admin/routing-policy";

    [Fact]
    public async Task When_two_admins_edit_the_same_version_the_second_is_refused_and_the_first_change_stays()
    {
        var first = await system.ClientAsync("ada");
        var second = await system.ClientAsync("ada"); // another session: another admin's tab
        var (read, etag) = await ReadAsync(first);
        var version = read["version"]!.GetValue<int>();
        Assert.Equal($"\"{version}\"", etag);

        var claimAt08 = read.DeepClone().AsObject();
        claimAt08["documentTypes"]!["claim"]!["threshold"] = 0.8;
        var adopted = await PutAsync(first, claimAt08, "claims model recalibrated", ifMatch: etag);
        Assert.Equal(HttpStatusCode.OK, adopted.StatusCode);

        var invoiceAt05 = read.DeepClone().AsObject(); // made from the same version, still claim 0.85
        invoiceAt05["documentTypes"]!["invoice"]!["threshold"] = 0.5;
        var refused = await PutAsync(second, invoiceAt05, "invoices are easy");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"made from version {version}", await refused.Content.ReadAsStringAsync());

        var (now, _) = await ReadAsync(first);
        Assert.Equal(version + 1, now["version"]!.GetValue<int>());
        Assert.Equal(0.8, now["documentTypes"]!["claim"]!["threshold"]!.GetValue<double>());
        Assert.Equal(read["documentTypes"]!["invoice"]!["threshold"]!.GetValue<double>(), now["documentTypes"]!["invoice"]!["threshold"]!.GetValue<double>());
    }

    [Fact]
    public async Task A_change_that_changes_nothing_is_refused_and_adopts_no_version()
    {
        var ada = await system.ClientAsync("ada");
        var (read, _) = await ReadAsync(ada);
        var same = await PutAsync(ada, read, "just saving");
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        Assert.Contains("Nothing to adopt", await same.Content.ReadAsStringAsync());
        Assert.Equal(read["version"]!.GetValue<int>(), (await ReadAsync(ada)).Policy["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_change_that_does_not_name_the_version_it_was_made_from_is_refused()
    {
        var ada = await system.ClientAsync("ada");
        var (read, _) = await ReadAsync(ada);
        var unversioned = read.DeepClone().AsObject();
        unversioned.Remove("version");
        unversioned["qaSampleRate"] = 0.5;
        var response = await PutAsync(ada, unversioned, "more QA");
        Assert.Equal(HttpStatusCode.PreconditionRequired, response.StatusCode);
        Assert.Equal(read["version"]!.GetValue<int>(), (await ReadAsync(ada)).Policy["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Alarm_limits_out_of_range_are_refused_and_a_type_sent_without_limits_keeps_the_defaults()
    {
        var ada = await system.ClientAsync("ada");
        var (read, _) = await ReadAsync(ada);
        var impossible = read.DeepClone().AsObject();
        impossible["documentTypes"]!["claim"]!["alarms"]!["minAutoAccuracy"] = 1.5;
        var refused = await PutAsync(ada, impossible, "a target no model meets");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("policy.documentTypes.claim.alarms", await refused.Content.ReadAsStringAsync());

        var bare = read.DeepClone().AsObject();
        bare["documentTypes"]!["claim"]!["alarms"] = null;
        bare["documentTypes"]!["claim"]!["threshold"] = 0.86;
        var adopted = await PutAsync(ada, bare, "claim threshold up a notch");
        Assert.Equal(HttpStatusCode.OK, adopted.StatusCode);
        var alarms = (await ReadAsync(ada)).Policy["documentTypes"]!["claim"]!["alarms"]!;
        Assert.Equal((0.25, 30, false), (alarms["maxPsi"]!.GetValue<double>(), alarms["minSamples"]!.GetValue<int>(), alarms["fallbackOnAlert"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task The_QA_sampling_key_is_made_when_the_worker_starts_kept_in_the_database_and_never_served()
    {
        await using var session = system.Store.QuerySession();
        var key = await session.LoadAsync<QaSamplingKey>(QaSamplingKey.DocumentId);
        Assert.NotNull(key);
        Assert.Equal(32, key.Key.Length);
        var served = await (await system.ClientAsync("ada")).GetStringAsync(Path);
        Assert.DoesNotContain("samplingKey", served, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(key.Key), served);
    }

    static async Task<(JsonObject Policy, string? ETag)> ReadAsync(HttpClient admin)
    {
        var response = await admin.GetAsync(Path);
        response.EnsureSuccessStatusCode();
        return ((await response.Content.ReadFromJsonAsync<JsonObject>())!, response.Headers.ETag?.ToString());
    }

    static Task<HttpResponseMessage> PutAsync(HttpClient admin, JsonObject policy, string reason, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, Path) { Content = JsonContent.Create(new { policy, reason }) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return admin.SendAsync(request);
    }
}
