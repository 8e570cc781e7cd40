using System.Security.Claims;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.SignIn;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Intake;

/// <summary>POST /api/v1/documents: HTTP intake for systems without AMQP (role Ingest).</summary>
static class HttpIntake
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/v1/documents", SubmitAsync).RequireAuthorization(Policies.Ingest).WithTags("Documents")
            .Accepts<ReviewFlow.Contracts.DocumentClassified>("application/json")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Submit a classification result (the same JSON as on AMQP)");

    /// <summary>202 once the result is on the bus; 400 problem details naming each bad field otherwise.</summary>
    static async Task<Results<Accepted<SubmitResponse>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, ClassificationIntake intake, IPublishEndpoint bus, IntakeLimits limits, ClaimsPrincipal user,
        CancellationToken ct)
    {
        if (await ReadBodyAsync(request, limits.MaxPayloadBytes, ct) is not { } body)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload too large", detail: $"The limit is {limits.MaxPayloadBytes} bytes.");
        ParsedClassification parsed;
        try
        {
            parsed = await intake.ParseAsync(body, ct);
        }
        catch (NoRoutingPolicyException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: ex.Message);
        }
        await intake.ForwardAsync(parsed, Channels.Http, bus, ct, user.UserId());
        if (!parsed.IsValid)
            return TypedResults.ValidationProblem(parsed.Errors.ToDictionary(),
                title: "The classification result is invalid",
                detail: parsed.DocumentId is null ? null : $"Recorded: document {parsed.DocumentId} shows status Invalid.");

        var id = parsed.Classification!.DocumentId;
        return TypedResults.Accepted($"/api/v1/documents/{Uri.EscapeDataString(id)}", new SubmitResponse(id, "accepted"));
    }

    /// <summary>
    /// The body, or null when it is over <paramref name="max"/> bytes: refused by Content-Length before reading, and
    /// a chunked body (no Content-Length) as soon as it passes the limit, so no request buffers more than the limit.
    /// </summary>
    static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max) return null;
        // One byte over the announced length: the read that returns 0 then needs no larger buffer.
        var buffer = new byte[request.ContentLength + 1 ?? Math.Min(max + 1, 64 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > max) return null;
                Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, max + 1L));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0) return buffer.AsMemory(0, length);
            length += read;
        }
    }
}

public sealed record SubmitResponse(string DocumentId, string Status);
