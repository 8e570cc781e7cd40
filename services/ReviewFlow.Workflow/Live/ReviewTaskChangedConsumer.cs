using MassTransit;
using Microsoft.AspNetCore.SignalR;
using ReviewFlow.Contracts;

namespace ReviewFlow.Workflow.Live;

/// <summary>Each web node consumes ReviewTaskChanged on its own temporary queue, so every node's pages stay current.</summary>
public sealed class ReviewTaskChangedConsumer(IHubContext<ReviewHub> hub) : IConsumer<ReviewTaskChanged>
{
    public Task Consume(ConsumeContext<ReviewTaskChanged> context) =>
        hub.Clients.Group(ReviewHub.GroupName(context.Message.ReviewerGroup)).SendAsync(ReviewHub.TaskChanged, context.Message, context.CancellationToken);
}
