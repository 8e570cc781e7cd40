using System.Text.Json;
using Microsoft.Playwright;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// axe-core (vendored from npm in Axe/, MPL-2.0) run inside a page: the WCAG 2.x A and AA rules, every violation with
/// the elements it found, so a failing test says what to fix.
/// </summary>
public static class Axe
{
    static readonly Lazy<string> Script = new(() => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Axe", "axe.min.js")));

    public static async Task AssertCleanAsync(IPage page, string what)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await page.AddScriptTagAsync(new() { Content = Script.Value });
        var json = await page.EvaluateAsync<string>("""
            async () => {
              const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } });
              return JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + ": " + n.failureSummary) })));
            }
            """);
        using var violations = JsonDocument.Parse(json);
        Assert.True(violations.RootElement.GetArrayLength() == 0, $"axe-core on {what}: {json}");
    }

    /// <summary>No horizontal scrolling at the viewport's width (a phone's 390 px): the page reflows instead.</summary>
    public static async Task AssertNoHorizontalScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{what} scrolls sideways: {widths[0]} px wide in a {widths[1]} px window");
    }
}
