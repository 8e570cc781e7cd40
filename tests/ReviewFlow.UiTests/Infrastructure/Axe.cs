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

    public static Task AssertCleanAsync(IPage page, string what) => AssertCleanAsync(page.MainFrame, what);

    /// <summary>The same for one frame, e.g. a page as another host frames it (the Teams tab).</summary>
    public static async Task AssertCleanAsync(IFrame page, string what)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            // Evaluated through the DevTools protocol, not as an inline <script>: the pages' CSP forbids inline script, rightly.
            await page.EvaluateAsync(Script.Value);
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

    /// <summary>
    /// Tabs through the page from the top <paramref name="presses"/> times: each stop is a control with a name and a
    /// visible focus indicator (an outline), and the walk reaches <paramref name="mustReach"/>.
    /// </summary>
    public static async Task AssertKeyboardWalkAsync(IPage page, int presses, string mustReach)
    {
        await page.Locator("h1").ClickAsync(); // the walk starts at the top, not where the test last clicked
        var reached = false;
        var walk = new List<string>();
        for (var i = 0; i < presses && !reached; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            var stop = await page.EvaluateAsync<string[]>("""
                () => { const e = document.activeElement, s = getComputedStyle(e);
                  const name = e.labels?.[0]?.textContent || e.getAttribute("aria-label") || e.textContent || e.id;
                  return [e.tagName + (e.id ? "#" + e.id : ""), s.outlineStyle, s.outlineWidth, (name || "").trim(), "0"]; }
                """);
            // Further stops inside one control (a date input's fields and calendar button) are the browser's own, focus drawn by it.
            var inner = walk.Count > 0 && walk[^1] == stop[0];
            walk.Add(stop[0]);
            if (!inner) Assert.True(stop[1] != "none" && stop[2] != "0px", $"focus on {stop[0]} ({stop[3]}) is not visible: outline {stop[1]} {stop[2]}; the walk: {string.Join(" → ", walk)}");
            Assert.False(string.IsNullOrEmpty(stop[3]), $"focus on {stop[0]} has no name");
            reached = await page.EvaluateAsync<bool>("s => document.activeElement.matches(s)", mustReach);
        }
        Assert.True(reached, $"{presses} Tab presses did not reach {mustReach}");
    }

    /// <summary>No horizontal scrolling at the viewport's width (a phone's 390 px): the page reflows instead.</summary>
    public static async Task AssertNoHorizontalScrollAsync(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{what} scrolls sideways: {widths[0]} px wide in a {widths[1]} px window");
    }
}
