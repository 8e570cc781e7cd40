using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ReviewFlow.Workflow.SignIn;

namespace ReviewFlow.Workflow.Live;

/// <summary>
/// /hubs/review: open queue pages join their reviewer groups and receive "taskChanged" for every task of those
/// groups that appears, is claimed, released or decided anywhere. A page that reconnects reloads GET /api/v1/queue.
/// </summary>
[Authorize(Policy = Policies.Review)]
public sealed class ReviewHub : Hub
{
    public const string Path = "/hubs/review";
    public const string TaskChanged = "taskChanged";

    public override async Task OnConnectedAsync()
    {
        foreach (var group in Context.User!.Groups())
            await Groups.AddToGroupAsync(Context.ConnectionId, GroupName(group));
        await base.OnConnectedAsync();
    }

    public static string GroupName(string reviewerGroup) => "reviewers:" + reviewerGroup;
}
