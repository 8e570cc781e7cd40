using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.Content;

/// <summary>
/// GET /api/v1/documents/{id}/content serves a document's own content from an allowed origin, with the credential from
/// configuration, and refuses — as problem details with a reason — everything else: another host (directly or by a
/// redirect), too many redirects, a body over the limit, a type the viewer does not show. A slow host costs at most the
/// timeout and its connection is let go.
/// </summary>
public sealed class ContentProxyTests(ContentSystem system) : IClassFixture<ContentSystem>
{
    ContentHost Host => system.Host;

    /// <summary>An unsure invoice of ap-inbox whose content is at <paramref name="contentUri"/>, open for review.</summary>
    async Task<string> DocumentAsync(string contentUri, string sourceSystem = "ap-inbox")
    {
        var id = Documents.NewId();
        await system.Amqp.PublishRawAsync(Documents.Json(id, confidence: 0.5, sourceSystem: sourceSystem, contentUri: contentUri));
        await (await system.ClientAsync("sam")).ForStatusAsync(id, "AwaitingReview");
        return id;
    }

    async Task<HttpResponseMessage> ContentAsync(string id, string user = "alice") =>
        await (await system.ClientAsync(user)).GetAsync($"/api/v1/documents/{id}/content");

    static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string reason, string? detail = null)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        if (detail is not null) Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_document_on_an_allowed_host_is_served_inline_with_the_configured_credential_and_never_cached()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/invoice.pdf");

        var response = await ContentAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ContentHost.Pdf, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl is { Private: true, NoStore: true }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.StartsWith("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task A_redirect_on_the_allowed_host_is_followed()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/hop");

        var response = await ContentAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ContentHost.Pdf, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_content_is_only_for_those_who_may_read_the_document_and_only_from_its_own_link()
    {
        // A contract goes to legal-reviewers: bob reads it, alice (ap, claims) is told what an unknown id is told.
        var id = Documents.NewId("CTR");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "contract", label: "nda", confidence: 0.5,
            contentUri: $"{Host.Allowed}/files/invoice.pdf"));
        await (await system.ClientAsync("bob")).ForStatusAsync(id, "AwaitingReview");

        Assert.Equal(HttpStatusCode.OK, (await ContentAsync(id, "bob")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ContentAsync(id, "alice")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ContentAsync(Documents.NewId("CTR"), "bob")).StatusCode);
        // Nothing the caller sends names another URL.
        var bob = await system.ClientAsync("bob");
        var response = await bob.GetAsync($"/api/v1/documents/{id}/content?uri={Uri.EscapeDataString(Host.Allowed + "/files/page.html")}");
        Assert.Equal(ContentHost.Pdf, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_host_not_on_the_list_is_refused_saying_which()
    {
        var id = await DocumentAsync($"{Host.NotAllowed}/files/invoice.pdf");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "host-not-allowed",
            $"The document's content is on a host that is not allowed for source system 'ap-inbox': {Host.NotAllowed}");
    }

    [Fact]
    public async Task A_redirect_to_a_host_not_on_the_list_is_refused()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/away");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "host-not-allowed",
            $"The content host redirected to a host that is not allowed for source system 'ap-inbox': {Host.NotAllowed}");
    }

    [Fact]
    public async Task Endless_redirects_are_given_up_after_three()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/loop");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "too-many-redirects");
    }

    [Fact]
    public async Task A_source_system_without_an_entry_is_refused_even_on_an_allowed_host()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/invoice.pdf", sourceSystem: "scanner-7");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "source-not-configured", "'scanner-7'");
    }

    [Theory]
    [InlineData("huge.pdf")]
    [InlineData("huge-unsized.pdf")]
    public async Task A_file_over_the_limit_is_refused_whether_or_not_its_length_is_declared(string file)
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/{file}");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "too-large", "1048576 bytes");
    }

    [Fact]
    public async Task A_type_the_viewer_does_not_show_is_refused()
    {
        var id = await DocumentAsync($"{Host.Allowed}/files/page.html");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.BadGateway, "type-not-allowed", "'text/html'");
    }

    [Fact]
    public async Task A_document_without_a_link_has_no_content_to_show()
    {
        var id = Documents.NewId();
        var json = System.Text.Json.Nodes.JsonNode.Parse(Documents.Json(id, confidence: 0.5))!.AsObject();
        json.Remove("contentUri");
        await system.Amqp.PublishRawAsync(json.ToJsonString());
        await (await system.ClientAsync("sam")).ForStatusAsync(id, "AwaitingReview");

        await AssertRefusedAsync(await ContentAsync(id), HttpStatusCode.NotFound, "no-content");
    }

    [Fact]
    public async Task A_slow_host_times_out_and_meanwhile_the_server_answers_others()
    {
        var slow = await DocumentAsync($"{Host.Allowed}/files/slow.pdf");
        var fast = await DocumentAsync($"{Host.Allowed}/files/invoice.pdf");
        var alice = await system.ClientAsync("alice");
        var before = Host.SlowAborted;

        var clock = Stopwatch.StartNew();
        var waiting = Enumerable.Range(0, 8).Select(_ => alice.GetAsync($"/api/v1/documents/{slow}/content")).ToList();
        await Waiting.UntilAsync(() => Task.FromResult(Host.SlowStarted >= 8), TimeSpan.FromSeconds(5), "eight fetches at the slow host");
        var other = await alice.GetAsync($"/api/v1/documents/{fast}/content");
        var otherTook = clock.Elapsed;
        var answers = await Task.WhenAll(waiting);
        var slowTook = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        // Served before the eight time out (2 s): not queued behind them.
        Assert.True(otherTook < TimeSpan.FromSeconds(2), $"another document took {otherTook.TotalMilliseconds:0} ms while eight waited");
        foreach (var answer in answers) await AssertRefusedAsync(answer, HttpStatusCode.GatewayTimeout, "timeout", "within 2 s");
        Assert.True(slowTook < TimeSpan.FromSeconds(5), $"the slow fetches were answered after {slowTook.TotalMilliseconds:0} ms (timeout 2 s)");
        // The proxy let go of the slow host's connections: nothing is left waiting there.
        await Waiting.UntilAsync(() => Task.FromResult(Host.SlowAborted - before >= 8), TimeSpan.FromSeconds(5), "the slow host saw eight aborted requests");
    }
}
