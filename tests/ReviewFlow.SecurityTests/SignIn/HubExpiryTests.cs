using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace ReviewFlow.SecurityTests.SignIn;

/// <summary>Development tokens of a few seconds (DevSignIn:TokenLifetime), on a web host of their own.</summary>
public sealed class ShortTokenSystem() : TestSystem(new SystemOptions
{
    Worker = false,
    Settings = new Dictionary<string, string?> { ["DevSignIn:TokenLifetime"] = "00:00:04" },
});

/// <summary>A live connection ends when its token does: a signed-out or expired user receives nothing more.</summary>
public sealed class HubExpiryTests(ShortTokenSystem system) : IClassFixture<ShortTokenSystem>
{
    [Fact]
    public async Task The_hub_closes_a_connection_when_its_token_expires_and_a_fresh_token_connects_again()
    {
        var token = await DevTokens.GetAsync(system.Web.CreateClient(), "alice");
        var clock = Stopwatch.StartNew();
        await using var hub = Hubs.Review(system, token);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
        await hub.StartAsync();

        var ended = await Task.WhenAny(closed.Task, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(ended == closed.Task, "the connection outlived its token by 16 s");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(12));

        await using var again = Hubs.Review(system, await DevTokens.GetAsync(system.Web.CreateClient(), "alice"));
        await again.StartAsync();
        Assert.Equal(HubConnectionState.Connected, again.State);
    }
}
