using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace ReviewFlow.SecurityTests;

public static class Hubs
{
    /// <summary>A client of the system's /hubs/review over its in-process test server, with <paramref name="token"/> (none: anonymous).</summary>
    public static HubConnection Review(TestSystem system, string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(system.Web.Server.BaseAddress, "hubs/review"), o =>
        {
            o.HttpMessageHandlerFactory = _ => system.Web.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling; // the in-process test server has no WebSockets
            o.AccessTokenProvider = () => Task.FromResult(token);
        })
        .Build();
}
