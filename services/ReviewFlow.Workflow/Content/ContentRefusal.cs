using Microsoft.AspNetCore.Http.HttpResults;

namespace ReviewFlow.Workflow.Content;

/// <summary>Why a document's content is not served: a problem answer whose <c>reason</c> the page can act on (docs/contracts.md).</summary>
public sealed record ContentRefusal(int Status, string Reason, string Title, string Detail)
{
    public static ContentRefusal NoContent(string documentId) => new(StatusCodes.Status404NotFound, "no-content",
        "No content", $"The document '{documentId}' has no content link (contentUri): its excerpt is all there is.");

    public static ContentRefusal NoSource(string source) => new(StatusCodes.Status502BadGateway, "source-not-configured",
        "Content not allowed", $"No content host is allowed for source system '{source}' (Content:Sources:{source}).");

    public static ContentRefusal HostNotAllowed(string source, Uri uri, bool redirected) => new(StatusCodes.Status502BadGateway,
        "host-not-allowed", "Content not allowed",
        (redirected ? "The content host redirected to a host" : "The document's content is on a host")
        + $" that is not allowed for source system '{source}': {Shown(uri)}");

    public static ContentRefusal TooManyRedirects(int most) => new(StatusCodes.Status502BadGateway, "too-many-redirects",
        "Content not served", $"The content host redirected more than {most} times.");

    public static ContentRefusal Upstream(int status) => new(StatusCodes.Status502BadGateway, "upstream-status",
        "Content not served", $"The content host answered {status}.");

    public static ContentRefusal Unreachable(string why) => new(StatusCodes.Status502BadGateway, "unreachable",
        "Content not served", $"The content host could not be reached: {why}");

    public static ContentRefusal TypeNotAllowed(string? type) => new(StatusCodes.Status502BadGateway, "type-not-allowed",
        "Content not served", $"The content is of type '{type ?? "(none)"}'; the viewer shows only "
        + string.Join(", ", ContentOptions.AllowedTypes.Order()) + ".");

    public static ContentRefusal TooLarge(long max) => new(StatusCodes.Status502BadGateway, "too-large",
        "Content not served", $"The content is larger than the limit of {max} bytes (Content:MaxBytes).");

    public static ContentRefusal TimedOut(TimeSpan timeout) => new(StatusCodes.Status504GatewayTimeout, "timeout",
        "Content not served", $"The content host did not answer within {timeout.TotalSeconds:0.#} s (Content:Timeout).");

    public ProblemHttpResult ToProblem() => TypedResults.Problem(statusCode: Status, title: Title, detail: Detail,
        extensions: new Dictionary<string, object?> { ["reason"] = Reason });

    // The origin only, the way an allow-list entry is written (a path or query may carry a token).
    static string Shown(Uri uri) => uri.GetLeftPart(UriPartial.Authority);
}
