using ReviewFlow.Workflow.Content;

namespace ReviewFlow.Workflow.Tests.Content;

/// <summary>An allow-list entry is an origin: scheme, host and port all match, or the content is not fetched.</summary>
public sealed class ContentSourceTests
{
    static bool Allows(string entry, string uri) =>
        new ContentSource { AllowedOrigins = [entry] }.Allows(new Uri(uri));

    [Theory]
    [InlineData("https://dms.example.com", "https://dms.example.com/invoices/1.pdf")]
    [InlineData("https://dms.example.com", "https://DMS.Example.com:443/invoices/1.pdf")]
    [InlineData("dms.example.com", "https://dms.example.com/invoices/1.pdf")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080/demo-content/invoice.pdf")]
    public void The_same_origin_is_allowed(string entry, string uri) => Assert.True(Allows(entry, uri));

    [Theory]
    [InlineData("https://dms.example.com", "http://dms.example.com/1.pdf")] // plain http only where an entry says so
    [InlineData("dms.example.com", "http://dms.example.com/1.pdf")]
    [InlineData("https://dms.example.com", "https://dms.example.com:8443/1.pdf")]
    [InlineData("https://dms.example.com", "https://dms.example.com.evil.example/1.pdf")]
    [InlineData("https://dms.example.com", "https://files.dms.example.com/1.pdf")]
    [InlineData("https://dms.example.com", "https://user:secret@dms.example.com/1.pdf")] // credentials come from configuration
    [InlineData("http://127.0.0.1:5080", "http://localhost:5080/1.pdf")]
    [InlineData("https://dms.example.com", "ftp://dms.example.com/1.pdf")]
    public void Anything_else_is_not(string entry, string uri) => Assert.False(Allows(entry, uri));

    [Fact]
    public void No_entry_allows_nothing() => Assert.False(new ContentSource().Allows(new Uri("https://dms.example.com/1.pdf")));
}
