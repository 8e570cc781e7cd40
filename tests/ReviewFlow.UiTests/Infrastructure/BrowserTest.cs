namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>
/// A test class of the "browser" collection: one shared system and browser. Each test starts with clean watches and
/// closes the pages it opened, so none of them keeps reconnecting (or reporting errors) into the next test.
/// </summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest(BrowserSystem browser) : IAsyncLifetime
{
    protected BrowserSystem B { get; } = browser;

    public Task InitializeAsync()
    {
        B.ResetWatch();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var context in B.Browser.Contexts.ToList()) await context.CloseAsync();
    }
}
