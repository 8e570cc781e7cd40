using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Web.Admin;

/// <summary>
/// An Admin's action in the Hangfire dashboard (a POST: retry, delete, trigger, requeue…), accepted or refused
/// (Status): who, which action (the dashboard path), on which jobs. Stream $jobs-dashboard.
/// </summary>
public sealed record JobsDashboardActionTaken(string Actor, string Action, IReadOnlyList<string> Jobs, int Status, DateTimeOffset At);

/// <summary>
/// The dashboard changes timers that decide SLA breaches and notifications, so every action it takes is recorded
/// after it ran (the dashboard's own handlers cannot be changed; wrapping its endpoints sees every POST).
/// GET /api/v1/admin/dashboard-actions lists them for Admins and Auditors.
/// </summary>
static class DashboardAudit
{
    public const string StreamKey = "$jobs-dashboard";

    public static void Record(EndpointBuilder endpoint)
    {
        var next = endpoint.RequestDelegate!;
        endpoint.RequestDelegate = async http =>
        {
            await next(http);
            if (!HttpMethods.IsPost(http.Request.Method)) return;
            // Hangfire read the form already; ASP.NET Core keeps it, so this does not read the body twice.
            var jobs = http.Request.HasFormContentType
                ? (await http.Request.ReadFormAsync()).Where(f => f.Key.StartsWith("jobs", StringComparison.Ordinal)).SelectMany(f => f.Value)
                    .OfType<string>().ToList()
                : [];
            var action = http.Request.Path.Value![JobsDashboard.Path.Length..];
            await using var session = http.RequestServices.GetRequiredService<IDocumentStore>().LightweightSession();
            session.Events.Append(StreamKey, new JobsDashboardActionTaken(http.User.UserId(), action, jobs, http.Response.StatusCode,
                http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow()));
            await session.SaveChangesAsync(CancellationToken.None);
        };
    }

    public static async Task<Ok<IEnumerable<JobsDashboardActionTaken>>> ListAsync(IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(StreamKey, token: ct);
        return TypedResults.Ok(events.Select(e => e.Data).OfType<JobsDashboardActionTaken>().Reverse().Take(500));
    }
}
