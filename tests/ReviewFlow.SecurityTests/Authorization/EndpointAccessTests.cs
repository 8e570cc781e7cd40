using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static ReviewFlow.SecurityTests.Authorization.Who;

namespace ReviewFlow.SecurityTests.Authorization;

/// <summary>
/// Every endpoint the web host maps (read from its EndpointDataSource at run time) × every role, against the table
/// below. An endpoint missing from the table fails: a new endpoint needs its line here, i.e. a decision on who may call
/// it. "Allowed" means authorization let the request through (anything but 401/403: a made-up id answers 404, an empty
/// body 400); each answer must come from the endpoint under test (the host echoes the matched endpoint), so a route
/// that did not match cannot pass as "allowed". Data-level need-to-know (another group's document) is in CrossGroupTests.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class EndpointAccessTests(TestSystem system) : IAsyncLifetime
{
    const string Matched = "X-Test-Endpoint";

    /// <summary>Who may call each endpoint ("METHOD route pattern"; "*" for an endpoint of every method).</summary>
    static readonly Dictionary<string, Who> Expected = new()
    {
        ["GET /health"] = Anyone,
        ["* /health/live"] = Anyone,
        ["* /health/ready"] = Anyone,
        // Prometheus' scrape: counts by type, group and outcome, never an id (MetricsTests); the proxy does not forward it.
        ["* /metrics"] = Anyone,
        ["GET /api"] = Anyone,
        // The API's OpenAPI description: for integrators who signed in, whatever their role (OpenApiDocumentTests).
        ["GET /openapi/{documentName}.json"] = SignedIn,
        ["GET /api/v1/auth/config"] = Anyone,
        // Development sign-in only (both switches, loopback): mints any seeded user's token by design.
        ["GET /api/v1/dev/users"] = Anyone,
        ["POST /api/v1/dev/token"] = Anyone,

        ["POST /api/v1/documents"] = Ingest,
        // Signed-in callers reach the handler; it answers 404 unless the caller needs to know (CrossGroupTests).
        ["GET /api/v1/documents/{documentId}"] = SignedIn,
        ["GET /api/v1/documents/{documentId}/history"] = SignedIn,
        ["GET /api/v1/documents/{documentId}/notifications"] = SignedIn,
        // The document's content (the viewer's proxy): the same need-to-know as the document itself.
        ["GET /api/v1/documents/{documentId}/content"] = SignedIn,

        ["GET /api/v1/queue"] = Reviewer | Supervisor,
        ["GET /api/v1/me/today"] = Reviewer | Supervisor,
        ["POST /api/v1/reviews/{documentId}/claim"] = Reviewer | Supervisor,
        ["POST /api/v1/reviews/{documentId}/release"] = Reviewer | Supervisor,
        ["POST /api/v1/reviews/{documentId}/decision"] = Reviewer | Supervisor,
        ["POST /api/v1/reviews/{documentId}/reassign"] = Supervisor,
        ["POST /api/v1/reviews/bulk-confirm"] = Supervisor,
        // Their groups' open tasks, holders and workload (the handler reads the caller's groups only).
        ["GET /api/v1/supervisor/overview"] = Supervisor,
        ["POST /api/v1/reviews/next"] = Reviewer | Supervisor,
        // What a decision chooses from: reviewers and supervisors see their groups' types, admins and auditors all.
        ["GET /api/v1/document-types"] = Reviewer | Supervisor | Admin | Auditor,
        // Teams' Bot Connector only (its own scheme: a connector-signed token for the bot's app id, TeamsBotTests); no
        // token of the page's sign-in passes, whatever its roles. The Teams user acts under the page's rules inside.
        ["POST /api/teams/messages"] = None,
        ["* /hubs/review/negotiate"] = Reviewer | Supervisor,
        ["* /hubs/review"] = Reviewer | Supervisor,

        ["GET /api/v1/quality/summary"] = Supervisor | Admin | Auditor,
        ["GET /api/v1/quality/series"] = Supervisor | Admin | Auditor,
        ["GET /api/v1/quality/confusion"] = Supervisor | Admin | Auditor,
        ["GET /api/v1/quality/alerts"] = Supervisor | Admin | Auditor,
        ["GET /api/v1/quality/versions"] = Supervisor | Admin | Auditor,
        ["GET /api/v1/quality/reviewers"] = Supervisor,
        ["GET /api/v1/qa-checks/"] = Reviewer | Supervisor,
        ["POST /api/v1/qa-checks/{documentId}"] = Reviewer | Supervisor,
        ["GET /api/v1/quality/training-data"] = Admin,

        ["GET /api/v1/admin/routing-policy/"] = Admin,
        ["PUT /api/v1/admin/routing-policy/"] = Admin,
        ["GET /api/v1/admin/routing-policy/history"] = Admin,
        ["POST /api/v1/admin/routing-policy/what-if"] = Admin,
        ["GET /api/v1/admin/routing-policy/suggestion"] = Admin,
        ["POST /api/v1/admin/archival"] = Admin,
        ["POST /api/v1/admin/dashboard-session"] = Admin,
        ["GET /api/v1/admin/dashboard-actions"] = Admin | Auditor,
        // Only with the dashboard-session cookie (JobsDashboardTests): a bearer token alone, even an Admin's, is refused.
        ["* /hangfire/{**path}"] = None,

        ["GET /api/v1/audit/decisions"] = Auditor,
        ["GET /api/v1/audit/documents/{documentId}/timeline"] = Auditor,
        ["GET /api/v1/audit/verify"] = Auditor,
        ["GET /api/v1/audit/export"] = Auditor,
        ["GET /api/v1/audit/exports/{exportId:guid}/manifest"] = Auditor,
        ["GET /api/v1/audit/reports/overrides"] = Auditor,
        ["GET /api/v1/audit/reports/sla-breaches"] = Auditor,
        ["GET /api/v1/audit/reports/segregation"] = Auditor,
        ["GET /api/v1/audit/reports/policy-history"] = Auditor,
        ["POST /api/v1/audit/verifications/"] = Auditor | Admin,
        // The signed checkpoints and their public keys: what an auditor verifies the chain against, outside the database.
        ["GET /api/v1/audit/checkpoints"] = Auditor | Admin,
        ["GET /api/v1/audit/verifications/{id:guid}"] = Auditor | Admin,

        // The intake error queues and what operators did to them; the Invalid documents (the upstream team's view).
        ["GET /api/v1/operations/error-queue"] = Operator | Admin,
        ["POST /api/v1/operations/error-queue/replay"] = Operator | Admin,
        ["POST /api/v1/operations/error-queue/discard"] = Operator | Admin,
        ["GET /api/v1/operations/history"] = Operator | Admin,
        ["GET /api/v1/operations/invalid-documents"] = Operator | Admin,
    };

    WebApplicationFactory<ReviewFlow.Web.WebHost> _host = null!;
    readonly Dictionary<Who, string> _tokens = [];

    public Task InitializeAsync()
    {
        // The same host, telling which endpoint answered each request.
        _host = system.Web.WithWebHostBuilder(web => web.ConfigureServices(s => s.AddSingleton<IStartupFilter, EchoMatchedEndpoint>()));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Every_endpoint_has_a_line_in_the_access_table_and_every_line_an_endpoint()
    {
        var mapped = Endpoints().Select(e => e.Key).ToList();
        var missing = mapped.Where(k => !Expected.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "endpoints without an authorization decision in EndpointAccessTests.Expected:\n" + string.Join("\n", missing));
        var stale = Expected.Keys.Except(mapped).ToList();
        Assert.True(stale.Count == 0, "lines for endpoints that no longer exist:\n" + string.Join("\n", stale));
    }

    [Fact]
    public async Task Every_endpoint_admits_exactly_the_roles_of_the_table()
    {
        var wrong = new List<string>();
        foreach (var (key, endpoint) in Endpoints())
        {
            if (!Expected.TryGetValue(key, out var allowed)) continue; // the test above names it
            foreach (var role in Callers.Users.Keys)
            {
                var http = await ((Func<HttpClient>)(() => _host.CreateClient(new() { AllowAutoRedirect = false }))).AsAsync(role, _tokens);
                using var response = await http.SendAsync(RequestFor(key, endpoint));
                var status = (int)response.StatusCode;
                var answeredBy = response.Headers.TryGetValues(Matched, out var v) ? v.Single() : "(no endpoint)";
                if (answeredBy != endpoint.DisplayName)
                    wrong.Add($"{key} as {role}: {status} from {answeredBy}, not from the endpoint under test");
                else if (allowed.HasFlag(role) && status is 401 or 403)
                    wrong.Add($"{key} as {role}: {status}, expected to pass authorization");
                else if (!allowed.HasFlag(role) && status is not (401 or 403))
                    wrong.Add($"{key} as {role}: {status}, expected 401/403");
                else if (!allowed.HasFlag(role) && role == Anonymous && status != 401)
                    wrong.Add($"{key} as anonymous: {status}, expected 401");
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// <summary>"METHOD pattern" → the endpoint, for every route endpoint of the running host.</summary>
    IEnumerable<KeyValuePair<string, RouteEndpoint>> Endpoints()
    {
        _ = _host.Server; // started
        return _host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => KeyValuePair.Create($"{m} {Pattern(e)}", e)));
    }

    static string Pattern(RouteEndpoint e) => "/" + e.RoutePattern.RawText!.TrimStart('/');

    /// <summary>The endpoint's method and path with made-up route values (unknown ids), and an empty JSON object as the body.</summary>
    static HttpRequestMessage RequestFor(string key, RouteEndpoint endpoint)
    {
        var method = key[..key.IndexOf(' ')] is var m && m == "*" ? "GET" : m;
        var path = Regex.Replace(Pattern(endpoint), @"\{\*{0,2}([^}:=?]+)([^}]*)\}", p =>
            p.Groups[2].Value.Contains("guid") ? Guid.NewGuid().ToString() : p.Value.StartsWith("{*") ? "made-up" : "NOPE-" + Guid.NewGuid().ToString("N")[..8]);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    sealed class EchoMatchedEndpoint : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers[Matched] = context.GetEndpoint()?.DisplayName ?? "(no endpoint)";
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
