using System.Text.Json;
using System.Web;

namespace ReviewFlow.Notifications.Tests;

/// <summary>Links in messages: the web page for mails, the Teams tab for messages read in Teams (docs/teams.md).</summary>
public sealed class DeepLinkTests
{
    const string AppId = "8d3f2c1a-5b6e-4f70-9a81-2c3d4e5f6a7b";

    [Fact]
    public void A_teams_link_opens_the_apps_review_tab_with_the_document_as_sub_entity_and_the_web_page_as_fallback()
    {
        var link = new Uri(DeepLinks.ForDocumentInTeams(AppId, "https://reviewflow.test/", "INV 7/1"));

        Assert.Equal("https://teams.microsoft.com/l/entity/" + AppId + "/review", link.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(link.Query);
        using var context = JsonDocument.Parse(query["context"]!);
        Assert.Equal("INV 7/1", context.RootElement.GetProperty("subEntityId").GetString());
        Assert.Equal("https://reviewflow.test/?document=INV%207%2F1", query["webUrl"]);
    }

    [Fact]
    public void Without_a_teams_app_the_link_is_the_web_pages() =>
        Assert.Equal("https://reviewflow.test/?document=INV-1", DeepLinks.ForDocumentInTeams(null, "https://reviewflow.test", "INV-1"));
}
