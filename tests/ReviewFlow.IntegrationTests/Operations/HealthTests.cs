using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using ReviewFlow.Audit;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Hosting;
using Xunit.Abstractions;

namespace ReviewFlow.IntegrationTests.Operations;

/// <summary>The web host's probes, anonymous, as an orchestrator calls them.</summary>
[Collection(SystemCollection.Name)]
public sealed class WebHealthTests(TestSystem system)
{
    [Fact]
    public async Task The_web_host_is_live_and_ready_with_the_database_and_the_bus_named()
    {
        var http = system.Web.CreateClient(); // no token
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        var ready = await http.GetAsync("/health/ready");
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(ready.StatusCode == HttpStatusCode.OK, report.ToString());
        var checks = report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Contains("postgres", checks);
        Assert.Contains("masstransit-bus", checks);
        Assert.Contains("hangfire", checks);
    }
}
