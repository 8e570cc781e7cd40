using MassTransit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using ReviewFlow.Contracts;
using ReviewFlow.Web.SignIn;

namespace ReviewFlow.Web.Live;

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

/// <summary>Each web node consumes ReviewTaskChanged on its own temporary queue, so every node's pages stay current.</summary>
public sealed class ReviewTaskChangedConsumer(IHubContext<ReviewHub> hub) : IConsumer<ReviewTaskChanged>
{
    public Task Consume(ConsumeContext<ReviewTaskChanged> context) =>
        hub.Clients.Group(ReviewHub.GroupName(context.Message.ReviewerGroup)).SendAsync(ReviewHub.TaskChanged, context.Message, context.CancellationToken);
}

public static class LiveSetup
{
    public static void AddLiveConsumers(IBusRegistrationConfigurator bus) =>
        bus.AddConsumer<ReviewTaskChangedConsumer>().Endpoint(e =>
        {
            e.Name = "reviewflow-web-live";
            e.InstanceId = "-" + Environment.MachineName.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
            e.Temporary = true; // auto-delete: the queue lives as long as this node
        });
}
