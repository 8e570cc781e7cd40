using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ReviewFlow.IntegrationTests.Reviewing;

/// <summary>
/// A document type's label catalogue and reason codes (routing policy, seeded from configuration): a reviewer corrects
/// to any catalogue label, alternatives or not, and chooses a listed reason code; anything else is refused saying what
/// is allowed.
/// </summary>
public sealed class CatalogueTests(CatalogueTests.Catalogued system) : IClassFixture<CatalogueTests.Catalogued>
{
    public sealed class Catalogued() : TestSystem(new SystemOptions
    {
        Settings = new Dictionary<string, string?>
        {
            ["Routing:DocumentTypes:invoice:Labels:0"] = "utilities",
            ["Routing:DocumentTypes:invoice:Labels:1"] = "telecom",
            ["Routing:DocumentTypes:invoice:Labels:2"] = "travel",
            ["Routing:DocumentTypes:invoice:Labels:3"] = "office-supplies",
            ["Routing:DocumentTypes:invoice:ReasonCodes:0:Code"] = "wrong-vendor",
            ["Routing:DocumentTypes:invoice:ReasonCodes:0:Description"] = "The model read the vendor wrong",
            ["Routing:DocumentTypes:invoice:ReasonCodes:1:Code"] = "unreadable",
            ["Routing:DocumentTypes:invoice:ReasonCodes:1:Description"] = "The scan cannot be read",
        },
    });

    async Task<(string Id, HttpClient Alice)> ClaimedAsync()
    {
        var id = Documents.NewId();
        // Alternatives: telecom only; the catalogue has travel too.
        await system.Amqp.PublishRawAsync(Documents.Json(id, label: "utilities", confidence: 0.5));
        var alice = await system.ClientAsync("alice");
        await alice.ForStatusAsync(id, "AwaitingReview");
        (await alice.PostAsync($"/api/v1/reviews/{id}/claim", null)).EnsureSuccessStatusCode();
        return (id, alice);
    }

    static async Task<string> ProblemAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
    }

    [Fact]
    public async Task A_reviewer_corrects_to_a_catalogue_label_that_is_not_among_the_alternatives()
    {
        var (id, alice) = await ClaimedAsync();

        var decided = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision",
            new { outcome = "correct", label = "travel", reasonCode = "wrong-vendor" });

        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        Assert.Equal("travel", (await system.Amqp.WaitForDecisionAsync(id)).FinalLabel);
    }

    [Fact]
    public async Task A_label_outside_the_catalogue_is_refused_naming_the_catalogue_and_nothing_is_recorded()
    {
        var (id, alice) = await ClaimedAsync();

        var refused = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision",
            new { outcome = "correct", label = "groceries", reasonCode = "wrong-vendor" });

        Assert.Equal("'groceries' is not a label of invoice documents; choose one of: utilities, telecom, travel, office-supplies",
            await ProblemAsync(refused, "label"));
        Assert.Equal(["ClassificationReceived", "RoutingDecided", "ReviewRequested", "ReviewClaimed"], await system.Store.EventTypesAsync(id));
    }

    [Fact]
    public async Task A_reason_code_outside_the_list_is_refused_naming_the_list()
    {
        var (id, alice) = await ClaimedAsync();

        var refused = await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "reject", reasonCode = "meh" });

        Assert.Equal("'meh' is not a reason code for invoice documents; choose one of: wrong-vendor, unreadable",
            await ProblemAsync(refused, "reasonCode"));
        Assert.Equal(HttpStatusCode.OK,
            (await alice.PostAsJsonAsync($"/api/v1/reviews/{id}/decision", new { outcome = "reject", reasonCode = "unreadable" })).StatusCode);
    }

    [Fact]
    public async Task Reviewers_read_the_choices_of_their_groups_types_and_auditors_of_every_type()
    {
        var alice = await (await system.ClientAsync("alice")).GetFromJsonAsync<JsonElement[]>("/api/v1/document-types");
        var audrey = await (await system.ClientAsync("audrey")).GetFromJsonAsync<JsonElement[]>("/api/v1/document-types");

        Assert.Equal(["claim", "invoice"], alice!.Select(t => t.GetProperty("documentType").GetString())); // her two groups
        var invoice = alice![1];
        Assert.Equal(["utilities", "telecom", "travel", "office-supplies"], invoice.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        var reason = invoice.GetProperty("reasonCodes")[1];
        Assert.Equal(("unreadable", "The scan cannot be read"), (reason.GetProperty("code").GetString(), reason.GetProperty("description").GetString()));
        Assert.Empty(alice[0].GetProperty("labels").EnumerateArray()); // claims have no catalogue here: any label
        Assert.Equal(["claim", "contract", "invoice"], audrey!.Select(t => t.GetProperty("documentType").GetString()));
        Assert.Equal(HttpStatusCode.Forbidden, (await (await system.ClientAsync("ap-inbox")).GetAsync("/api/v1/document-types")).StatusCode);
    }
}
