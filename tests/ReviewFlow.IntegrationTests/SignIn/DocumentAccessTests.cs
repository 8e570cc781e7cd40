using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.SignIn;

/// <summary>
/// Reads need to know: a document, its history and its notifications are visible to its group's reviewers and
/// supervisors, auditors, admins and the upstream caller that submitted it; anyone else gets the same 404 as for an id
/// that does not exist, and internal streams are never served as documents.
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class DocumentAccessTests(TestSystem system)
{
    static readonly string[] Reads = ["", "/history", "/notifications"];

    [Fact]
    public async Task A_contract_is_read_by_legal_reviewers_supervisors_auditors_and_admins_and_by_no_one_else()
    {
        // A contract goes to legal-reviewers: bob is one of them, alice is not (ap, claims).
        var id = Documents.NewId("CTR");
        await system.Amqp.PublishRawAsync(Documents.Json(id, documentType: "contract", label: "nda", confidence: 0.5));
        await (await system.ClientAsync("bob")).ForStatusAsync(id, "AwaitingReview");

        foreach (var user in new[] { "bob", "sam", "audrey", "ada" })
            await AssertReadsAsync(user, id, HttpStatusCode.OK);
        foreach (var user in new[] { "alice", "ap-inbox" })
            await AssertReadsAsync(user, id, HttpStatusCode.NotFound);

        // The refusal is the unknown-id answer, word for word: nothing tells alice the contract exists.
        var alice = await system.ClientAsync("alice");
        var refused = await (await alice.GetAsync($"/api/v1/documents/{id}")).Content.ReadFromJsonAsync<JsonElement>();
        var unknown = await (await alice.GetAsync($"/api/v1/documents/{Documents.NewId("CTR")}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(unknown.GetProperty("title").GetString(), refused.GetProperty("title").GetString());
    }

    [Fact]
    public async Task The_upstream_caller_that_submitted_a_document_may_follow_it()
    {
        var id = Documents.NewId();
        var inbox = await system.ClientAsync("ap-inbox");
        var submitted = await inbox.PostAsync("/api/v1/documents", new StringContent(Documents.Json(id, confidence: 0.99), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);

        await inbox.ForStatusAsync(id, "Routed");
        await AssertReadsAsync("ap-inbox", id, HttpStatusCode.OK);
    }

    [Fact]
    public async Task Only_upstream_systems_submit_documents_not_even_an_admin()
    {
        foreach (var user in new[] { "ada", "sam", "alice", "audrey" })
        {
            var response = await (await system.ClientAsync(user)).PostAsync("/api/v1/documents",
                new StringContent(Documents.Json(Documents.NewId(), confidence: 0.99), Encoding.UTF8, "application/json"));
            Assert.True(HttpStatusCode.Forbidden == response.StatusCode, $"{user}: {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Internal_streams_are_not_documents_for_anyone()
    {
        foreach (var stream in new[] { "$routing-policy", "$quality-alerts", "$audit-archival" })
            foreach (var user in new[] { "ada", "audrey", "sam" })
                await AssertReadsAsync(user, Uri.EscapeDataString(stream), HttpStatusCode.NotFound);
    }

    async Task AssertReadsAsync(string user, string id, HttpStatusCode expected)
    {
        var http = await system.ClientAsync(user);
        foreach (var read in Reads)
        {
            var status = (await http.GetAsync($"/api/v1/documents/{id}{read}")).StatusCode;
            Assert.True(expected == status, $"{user} GET …/{id}{read}: {(int)status}, expected {(int)expected}");
        }
    }
}
