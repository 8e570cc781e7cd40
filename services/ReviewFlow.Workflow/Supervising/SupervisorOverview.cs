using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Supervising;

/// <summary>
/// GET /api/v1/supervisor/overview (supervisors, their groups only): the open tasks with who holds each and since when
/// (escalations, breaches and disagreements first), each group's members for the reassignment picker (with who is out of
/// office, from <see cref="MemberPresence"/>), and each
/// reviewer's workload — open claims and decisions today (UTC day). Read from the <see cref="ReviewQueueItem"/> read
/// model; the page acts through the existing commands (reassign, bulk confirm).
/// </summary>
public static class SupervisorOverview
{
    /// <summary>Open tasks answered at most; Truncated says there are more.</summary>
    public const int MaxTasks = 500;

    /// <summary>Both hosts (the worker writes <see cref="MemberPresence"/>, the overview reads it): the table exists whichever migrates first.</summary>
    public static IHostApplicationBuilder AddMemberPresence(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureMarten(opts => opts.Schema.For<MemberPresence>().DocumentAlias("member_presence"));
        return builder;
    }

    public static IEndpointRouteBuilder MapSupervising(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/supervisor/overview", GetAsync).RequireAuthorization(Policies.Supervise).WithTags("Reviews")
            .WithSummary("The supervisor's groups: open tasks with who holds them, workload per person, who may take a task");
        return app;
    }

    static async Task<Ok<Overview>> GetAsync(ClaimsPrincipal user, IQuerySession session, GroupDirectory directory, TimeProvider clock,
        CancellationToken ct)
    {
        var groups = user.Groups().Order(StringComparer.Ordinal).ToArray();
        var since = new DateTimeOffset(clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var open = await session.Query<ReviewQueueItem>()
            .Where(x => x.Status.IsOneOf(DocumentStatus.Open) && x.ReviewerGroup.IsOneOf(groups))
            .OrderBy(x => x.DueAt).ThenBy(x => x.RequestedAt).Take(MaxTasks + 1).ToListAsync(ct);
        var decidedBy = await session.Query<ReviewQueueItem>()
            .Where(x => x.DecidedAt >= since && x.ReviewerGroup.IsOneOf(groups) && x.DecidedBy != null)
            .Select(x => x.DecidedBy!).ToListAsync(ct);
        var tasks = open.Take(MaxTasks).OrderBy(NeedsASupervisorFirst).Select(QueueItem.From).ToList();

        // Out of office, as the worker last read it from Graph (never called from here).
        var now = clock.GetUtcNow();
        var memberIds = groups.SelectMany(directory.Members).Select(m => m.Id).Distinct(StringComparer.Ordinal).ToArray();
        var away = (await session.LoadManyAsync<MemberPresence>(ct, memberIds))
            .Select(p => (p.Id, Away: p.AwayAt(now))).Where(p => p.Away is not null).ToDictionary(p => p.Id, p => p.Away!);
        var members = groups.ToDictionary(g => g, g => (IReadOnlyList<GroupMember>)directory.Members(g)
            .Select(m => away.TryGetValue(m.Id, out var a) ? m with { Away = a } : m).ToList());
        var decided = decidedBy.CountBy(id => id).ToDictionary();
        var claims = open.Where(x => x.ClaimedBy is not null).CountBy(x => x.ClaimedBy!).ToDictionary();
        // Everyone of the groups, and anyone else who holds or decided a task of them today (a simulated or former reviewer).
        var people = members.Values.SelectMany(m => m).Select(m => m.Id)
            .Concat(claims.Keys).Concat(decided.Keys).Distinct(StringComparer.Ordinal);
        var workload = people.Select(id => new Workload(id,
                open.FirstOrDefault(x => x.ClaimedBy == id)?.ClaimedByName ?? directory.NameOf(id),
                groups.Where(g => members[g].Any(m => m.Id == id)).ToList(),
                claims.GetValueOrDefault(id), decided.GetValueOrDefault(id), away.GetValueOrDefault(id)))
            .OrderByDescending(w => w.OpenClaims).ThenBy(w => w.Name, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new Overview(since, tasks, open.Count > MaxTasks, members, workload));
    }

    /// <summary>Escalations and disagreements (only a supervisor decides them), then breaches, then the rest in queue order.</summary>
    static int NeedsASupervisorFirst(ReviewQueueItem x) =>
        x.Status == DocumentStatus.Escalated ? 0 : x.BreachedAt is not null ? 1 : 2;
}

public sealed record Overview(DateTimeOffset Since, IReadOnlyList<QueueItem> Tasks, bool Truncated,
    IReadOnlyDictionary<string, IReadOnlyList<GroupMember>> Members, IReadOnlyList<Workload> Workload);

/// <summary>A person's work in the caller's groups: tasks they hold now, decisions they recorded today (UTC), whether they are away.</summary>
public sealed record Workload(string Id, string Name, IReadOnlyList<string> Groups, int OpenClaims, int DecidedToday, MemberAway? Away = null);
