using Hangfire;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Supervising;

namespace ReviewFlow.Notifications;

/// <summary>
/// Keeps <see cref="MemberPresence"/> current for the supervisor's reassignment picker (the web host never calls Graph):
/// every Notifications:PresenceCron (5 minutes), the automatic-replies setting of each member of a group with open tasks,
/// through the same lookup and cache as the mails (Notifications:OutOfOfficeCache). A lookup that fails keeps the last
/// record; without Graph the job is not registered.
/// </summary>
public sealed class MemberPresenceJob(IDocumentStore store, GroupDirectory directory, IOptions<NotificationOptions> options, IServiceProvider services,
    TimeProvider clock, ILogger<MemberPresenceJob> log)
{
    public const string JobId = "member-presence";

    /// <summary>How many members' records were written.</summary>
    [JobDisplayName("Out-of-office of group members")]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task<int> RefreshAsync(CancellationToken ct)
    {
        if (services.GetService<OutOfOfficeLookup>() is not { } lookup) return 0;
        await using var session = store.LightweightSession();
        var groups = await session.Query<ReviewQueueItem>().Where(x => x.Status.IsOneOf(DocumentStatus.Open))
            .Select(x => x.ReviewerGroup).Distinct().ToListAsync(ct);
        var written = 0;
        foreach (var id in groups.SelectMany(directory.Members).Select(m => m.Id).Distinct(StringComparer.Ordinal))
        {
            if (options.Value.AddressOf(id) is not { } address) continue;
            var p = await lookup.CheckAsync(address, ct);
            if (!p.Known) continue;
            session.Store(new MemberPresence
            {
                Id = id, Always = p.Always, Scheduled = p.Scheduled, From = p.From, Until = p.Until, CheckedAt = clock.GetUtcNow(),
            });
            written++;
        }
        await session.SaveChangesAsync(ct);
        log.LogDebug("Out-of-office of {Count} members of {Groups} groups with open tasks recorded", written, groups.Count);
        return written;
    }
}
