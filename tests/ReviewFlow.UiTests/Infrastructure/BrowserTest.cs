namespace ReviewFlow.UiTests.Infrastructure;

/// <summary>A test class of the "browser" collection: one shared system and browser; each test starts with clean watches.</summary>
[Collection(BrowserCollection.Name)]
public abstract class BrowserTest
{
    protected BrowserSystem B { get; }

    protected BrowserTest(BrowserSystem browser)
    {
        B = browser;
        B.ResetWatch();
    }
}
