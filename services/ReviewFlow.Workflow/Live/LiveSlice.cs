using MassTransit;
using ReviewFlow.Workflow.Hosting;
using Microsoft.AspNetCore.Routing;

namespace ReviewFlow.Workflow.Live;

/// <summary>Live queue pages: the saga publishes ReviewTaskChanged after each commit; every web node pushes it to its pages.</summary>
public static class LiveSlice
{
    public static IHostApplicationBuilder AddLiveUpdates(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        return builder.AddBusPart(new BusPart(x => x.AddConsumer<ReviewTaskChangedConsumer>().Endpoint(e =>
        {
            e.Name = "reviewflow-web-live";
            e.InstanceId = "-" + Environment.MachineName.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
            e.Temporary = true; // auto-delete: the queue lives as long as this node
        })));
    }

    public static IEndpointRouteBuilder MapLiveUpdates(this IEndpointRouteBuilder app)
    {
        // A connection lives no longer than the token it was opened with: the page then connects again with a fresh
        // token, or signs out when none can be had (live.js).
        app.MapHub<ReviewHub>(ReviewHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
