using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using ReviewFlow.Workflow.Live;
using static ReviewFlow.SecurityTests.Authorization.Who;

namespace ReviewFlow.SecurityTests.Authorization;

/// <summary>
/// The live hub as each role: who may connect, and every public method of <see cref="ReviewHub"/> (found by reflection)
/// against a table, as EndpointAccessTests does for HTTP. Today the hub only pushes; a method added to it fails here
/// until it has a line. Which pages receive what is LiveUpdateTests' (only the reviewer groups' own tasks).
/// </summary>
[Collection(SystemCollection.Name)]
public sealed class HubAccessTests(TestSystem system)
{
    const Who MayConnect = Reviewer | Supervisor;

    /// <summary>Who may invoke each hub method, by name.</summary>
    static readonly Dictionary<string, Who> Methods = new();

    [Fact]
    public void Every_public_hub_method_has_a_line_in_the_table()
    {
        var declared = typeof(ReviewHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetBaseDefinition().DeclaringType == typeof(ReviewHub)) // not Hub's own overrides
            .Select(m => m.Name).ToHashSet();
        Assert.True(declared.SetEquals(Methods.Keys),
            $"hub methods: {string.Join(", ", declared)}; table: {string.Join(", ", Methods.Keys)} (HubAccessTests.Methods)");
    }

    [Fact]
    public async Task Only_reviewers_and_supervisors_connect_and_each_method_admits_its_roles()
    {
        var wrong = new List<string>();
        foreach (var (role, user) in Callers.Users)
        {
            var token = user is null ? null : await DevTokens.GetAsync(system.Web.CreateClient(), user);
            await using var hub = Hubs.Review(system, token);
            HttpStatusCode? refused = null;
            try { await hub.StartAsync(); }
            catch (HttpRequestException e) { refused = e.StatusCode; }

            var expected = MayConnect.HasFlag(role) ? "connected" : role == Anonymous ? "401" : "403";
            var actual = refused is { } s ? ((int)s).ToString() : "connected";
            if (expected != actual) wrong.Add($"{role}: {actual}, expected {expected}");
            if (refused is not null) continue;

            foreach (var (method, allowed) in Methods)
            {
                var parameters = typeof(ReviewHub).GetMethod(method)!.GetParameters();
                var args = parameters.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
                try
                {
                    await hub.InvokeCoreAsync(method, typeof(object), args);
                    if (!allowed.HasFlag(role)) wrong.Add($"{method} as {role}: invoked, expected refused");
                }
                catch (HubException e) when (e.Message.Contains("unauthorized", StringComparison.OrdinalIgnoreCase))
                {
                    if (allowed.HasFlag(role)) wrong.Add($"{method} as {role}: refused, expected allowed");
                }
                catch (HubException) { } // past authorization: the made-up arguments were refused by the method
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
