using System.Text.Json;
using Microsoft.Playwright;
using ReviewFlow.Testing;
using ReviewFlow.Testing.Processes;

namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// A <see cref="TestSystem"/> on Kestrel and a headless system Chromium, shared by the test classes of the "browser" collection:
/// one start for all of them, each test with its own documents and browser contexts. Collects dialogs (an injected
/// script would raise one) and console errors of every page it opened.
/// </summary>
public sealed class BrowserSystem : IAsyncLifetime
{
    const string Chromium = "/usr/bin/chromium";

    public TestSystem System { get; }

    /// <summary>
    /// SLAs the page can show: claims are due 20 s after they open (reminder lead 19 s: amber after 1 s; breached during a
    /// test, with room for a page to load on a busy CI machine), invoices in 2 h. Claims keep the product's lease: a page test can take longer than a short one.
    /// </summary>
    public BrowserSystem()
    {
        var port = HostProcess.FreePort();
        System = TestSystem.With(new()
        {
            Kestrel = true,
            Port = port,
            ClaimLease = null,
            Settings = new Dictionary<string, string?>
            {
                ["Routing:DocumentTypes:claim:Sla"] = "00:00:20",
                ["Routing:DocumentTypes:claim:ReminderBefore"] = "00:00:19",
                ["Routing:DocumentTypes:invoice:Sla"] = "02:00:00",
                // The invoice label catalogue: the picker offers it after the model's alternatives (telecom, rent by default).
                ["Routing:DocumentTypes:invoice:Labels:0"] = "utilities",
                ["Routing:DocumentTypes:invoice:Labels:1"] = "telecom",
                ["Routing:DocumentTypes:invoice:Labels:2"] = "rent",
                ["Routing:DocumentTypes:invoice:Labels:3"] = "travel",
                ["Routing:DocumentTypes:invoice:Labels:4"] = "office-supplies",
                // A document type and a reviewer of its own, so that "next task" (n) can only take that test's documents.
                ["Routing:DocumentTypes:memo:Threshold"] = "0.90",
                ["Routing:DocumentTypes:memo:ReviewerGroup"] = "memo-reviewers",
                ["DevUsers:nina:Name"] = "Nina (reviewer)",
                ["DevUsers:nina:Roles:0"] = "Reviewer",
                ["DevUsers:nina:Groups:0"] = "memo-reviewers",
                // Two more types with a reviewer each: the layout test's queue and auto-advance's "next" are theirs alone.
                ["Routing:DocumentTypes:letter:Threshold"] = "0.90",
                ["Routing:DocumentTypes:letter:ReviewerGroup"] = "letter-reviewers",
                ["DevUsers:lena:Name"] = "Lena (reviewer)",
                ["DevUsers:lena:Roles:0"] = "Reviewer",
                ["DevUsers:lena:Groups:0"] = "letter-reviewers",
                ["Routing:DocumentTypes:note:Threshold"] = "0.90",
                ["Routing:DocumentTypes:note:ReviewerGroup"] = "note-reviewers",
                ["DevUsers:nora:Name"] = "Nora (reviewer)",
                ["DevUsers:nora:Roles:0"] = "Reviewer",
                ["DevUsers:nora:Groups:0"] = "note-reviewers",
                // A reviewer only the auditor page's test decides as: its search by reviewer finds exactly that test's decision.
                ["DevUsers:carol:Name"] = "Carol (reviewer)",
                ["DevUsers:carol:Roles:0"] = "Reviewer",
                ["DevUsers:carol:Groups:0"] = "ap-reviewers",
                // The viewer shows the demo's sample documents (/demo-content/ on this host) through the content proxy.
                ["Content:Sources:ap-inbox:AllowedOrigins:0"] = $"http://127.0.0.1:{port}",
            },
        });
    }

    public IBrowser Browser { get; private set; } = null!;
    IPlaywright _playwright = null!;
    public List<string> Dialogs { get; } = [];
    public List<string> ConsoleErrors { get; } = [];

    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        await System.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        // Playwright's 5 s default for expectations is tight on two cores while the other test projects run beside
        // this one (a CI run failed on it); a real defect still fails, 10 s later.
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotDir);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await System.DisposeAsync();
    }

    /// <summary>A fresh context (own sessionStorage) on <paramref name="path"/>, not yet signed in.</summary>
    public async Task<IPage> OpenAsync(string path = "/", string? timezoneId = null, Uri? baseAddress = null, string locale = "en-GB",
        bool acceptDownloads = false)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = (baseAddress ?? System.BaseAddress).ToString(),
            ViewportSize = new() { Width = 1440, Height = 900 },
            TimezoneId = timezoneId,
            Locale = locale,
            AcceptDownloads = acceptDownloads,
        });
        var page = await context.NewPageAsync();
        page.Dialog += (_, d) => { lock (Dialogs) Dialogs.Add(d.Message); _ = d.DismissAsync(); };
        page.Console += (_, m) => { if (m.Type == "error") lock (ConsoleErrors) ConsoleErrors.Add(m.Text + " @ " + m.Location); };
        page.PageError += (_, e) => { lock (ConsoleErrors) ConsoleErrors.Add(e); };
        await page.GotoAsync(path);
        return page;
    }

    /// <summary>Picks a development user on the sign-in list (with the mouse) and waits for live updates when the user reviews.</summary>
    public async Task<IPage> SignInAsync(IPage page, string user, bool live = true)
    {
        await page.Locator($"#users button[data-user='{user}']").ClickAsync();
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync(user);
        if (live) await Assertions.Expect(page.Locator("#live")).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 15_000 });
        return page;
    }

    public async Task<IPage> SignedInPageAsync(string user, string path = "/", string? timezoneId = null) =>
        await SignInAsync(await OpenAsync(path, timezoneId), user);

    /// <summary>Shows only tasks with <paramref name="label"/> (f, Tab to the label field, type, Enter): a test's own tasks.</summary>
    public static async Task FilterByLabelAsync(IPage page, string label)
    {
        await page.Keyboard.PressAsync("f");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(label);
        await page.Keyboard.PressAsync("Enter");
    }

    /// <summary>Publishes a classification result as an upstream system would (raw JSON on reviewflow.classifications).</summary>
    public Task PublishAsync(string id, string documentType, string label, double confidence = 0.42, string? excerpt = null,
        string[]? alternatives = null, string? contentUri = null) =>
        System.Amqp.PublishRawAsync(Documents.Json(id, documentType, label, confidence, excerpt: excerpt,
            alternatives: (alternatives ?? ["telecom", "rent"]).Select((l, i) => (l, Math.Round(0.3 / (i + 1), 2))), contentUri: contentUri));

    /// <summary>Waits until <paramref name="id"/> is in <paramref name="user"/>'s queue (GET /api/v1/queue, development token).</summary>
    public async Task WaitUntilQueuedAsync(string user, string id)
    {
        using var http = await ClientAsync(user);
        await Waiting.UntilAsync(async () => (await http.GetStringAsync("api/v1/queue?pageSize=200")).Contains($"\"{id}\""),
            TimeSpan.FromSeconds(15), $"{id} in {user}'s queue");
    }

    /// <summary>An HTTP client of the API signed in as a development user.</summary>
    public Task<HttpClient> ClientAsync(string user) => System.ClientAsync(user);

    /// <summary>GET an API path with the bearer token of the user signed in on <paramref name="signedIn"/>.</summary>
    public async Task<JsonElement> GetJsonAsync(IPage signedIn, string path)
    {
        var token = await signedIn.EvaluateAsync<string>("() => sessionStorage.getItem('reviewflow.token')");
        var response = await signedIn.APIRequest.GetAsync(path,
            new() { Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token } });
        Assert.True(response.Ok, $"{path}: HTTP {response.Status}");
        return JsonDocument.Parse(await response.TextAsync()).RootElement;
    }

    /// <summary>The document's event types, in order, as GET /api/v1/documents/{id}/history answers them.</summary>
    public async Task<IReadOnlyList<string>> HistoryAsync(IPage signedIn, string id) =>
        (await GetJsonAsync(signedIn, $"/api/v1/documents/{Uri.EscapeDataString(id)}/history"))
            .EnumerateArray().Select(e => e.GetProperty("type").GetString()!).ToList();

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDir, name + ".png"), FullPage = true });

    /// <summary>
    /// The browser logs the content proxy's refusal (502/504) of a test document's link on a host nothing serves
    /// (dms.example.test); the viewer shows it as a message, so it is an answer, not a failure.
    /// </summary>
    static bool RefusedContent(string error) =>
        error.StartsWith("Failed to load resource", StringComparison.Ordinal) && error.Contains("/content", StringComparison.Ordinal);

    /// <summary>Called as each test starts: what earlier tests' pages reported is theirs.</summary>
    public void ResetWatch()
    {
        lock (Dialogs) Dialogs.Clear();
        lock (ConsoleErrors) ConsoleErrors.Clear();
    }

    /// <summary>
    /// Called at the end of each test: nothing injected ran, no script failed. <paramref name="expected"/> names console
    /// errors the test caused on purpose (the browser logs every failed request, e.g. while offline).
    /// </summary>
    public void AssertCleanPages(Func<string, bool>? expected = null)
    {
        lock (Dialogs) Assert.True(Dialogs.Count == 0, "dialogs: " + string.Join("\n", Dialogs));
        lock (ConsoleErrors)
        {
            var errors = ConsoleErrors.Where(e => !RefusedContent(e) && (expected is null || !expected(e))).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserSystem>
{
    public const string Name = "browser";
}
