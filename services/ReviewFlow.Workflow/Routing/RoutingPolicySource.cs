using Marten;

namespace ReviewFlow.Workflow.Routing;

/// <summary>The active routing policy. A boundary so the state machine's tests can run without PostgreSQL.</summary>
public interface IRoutingPolicySource
{
    ValueTask<RoutingPolicy> CurrentAsync(CancellationToken cancellationToken = default);
}

/// <summary>The server's secret for the QA draw (one document, made by the first worker that starts).</summary>
public sealed class QaSamplingKey
{
    public const string DocumentId = "qa-sampling";
    public string Id { get; set; } = DocumentId;
    public byte[] Key { get; set; } = [];
}

/// <summary>A policy change that was not adopted, and why (answered as 409).</summary>
public sealed class PolicyChangeRefusedException(string title, string detail) : InvalidOperationException(detail)
{
    public string Title { get; } = title;
}

public sealed class NoRoutingPolicyException()
    : InvalidOperationException("No routing policy has been adopted yet: the worker adopts the configured one at its first start.");

/// <summary>
/// Reads the active policy from its Marten stream and keeps it for a few seconds: a policy change reaches every
/// worker within <see cref="RefreshInterval"/>.
/// </summary>
public sealed class MartenRoutingPolicySource(IDocumentStore store, TimeProvider clock, ILogger<MartenRoutingPolicySource> log)
    : IRoutingPolicySource
{
    /// <summary>The policy's event stream. '$' cannot start a document id, so it never meets a document's stream.</summary>
    public const string StreamKey = "$routing-policy";

    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    readonly SemaphoreSlim _gate = new(1, 1);
    (RoutingPolicy Policy, DateTimeOffset LoadedAt)? _cached;

    public async ValueTask<RoutingPolicy> CurrentAsync(CancellationToken cancellationToken = default)
    {
        if (_cached is { } c && clock.GetUtcNow() - c.LoadedAt < RefreshInterval) return c.Policy;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_cached is { } again && clock.GetUtcNow() - again.LoadedAt < RefreshInterval) return again.Policy;
            var policy = await LoadAsync(cancellationToken) ?? throw new NoRoutingPolicyException();
            _cached = (policy, clock.GetUtcNow());
            return policy;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every adopted version, newest first.</summary>
    public async Task<IReadOnlyList<PolicyHistoryEntry>> HistoryAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKey, token: cancellationToken);
        return events.Select(e => e.Data).OfType<RoutingPolicyAdopted>().Reverse()
            .Select(a => new PolicyHistoryEntry(a.Policy.Version, a.ChangedBy, a.At, a.Reason, a.Policy)).ToList();
    }

    /// <summary>The active policy as stored now (not the cached one): what an admin edits.</summary>
    public Task<RoutingPolicy?> LatestAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    async Task<RoutingPolicy?> LoadAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(StreamKey, token: cancellationToken);
        var policy = events.Select(e => e.Data).OfType<RoutingPolicyAdopted>().LastOrDefault()?.Policy;
        if (policy is null) return null;
        var key = await session.LoadAsync<QaSamplingKey>(QaSamplingKey.DocumentId, cancellationToken);
        return policy with { SamplingKey = key?.Key };
    }

    /// <summary>
    /// Makes the QA draw's secret once, at a worker's start, if none is stored yet (every worker then reads the same);
    /// random, kept in the database beside the policy, never configured, logged or served.
    /// </summary>
    public async Task EnsureSamplingKeyAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<QaSamplingKey>(QaSamplingKey.DocumentId, cancellationToken) is not null) return;
        session.Insert(new QaSamplingKey { Key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32) });
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            log.LogInformation("Made the QA sampling key");
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            // Another worker made it first: theirs is the one.
        }
        _cached = null;
    }

    /// <summary>
    /// An admin adopts a new version, the next number, made from the version they read (<paramref name="basedOn"/>): refused
    /// when another version was adopted since or when nothing would change; the stream's version guards the append
    /// against a change committed meanwhile. Every worker routes by it within <see cref="RefreshInterval"/>.
    /// </summary>
    public async Task<RoutingPolicy> AdoptAsync(RoutingPolicy proposed, int basedOn, string changedBy, string reason,
        CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var events = await session.Events.FetchStreamAsync(StreamKey, token: cancellationToken);
        var current = events.Select(e => e.Data).OfType<RoutingPolicyAdopted>().LastOrDefault()?.Policy ?? throw new NoRoutingPolicyException();
        if (current.Version != basedOn)
            throw new PolicyChangeRefusedException("The policy changed meanwhile",
                $"This change was made from version {basedOn}, but version {current.Version} is active now: reload it and apply the change again.");
        if (current.SameRulesAs(proposed))
            throw new PolicyChangeRefusedException("Nothing to adopt", $"The proposed policy is the same as version {current.Version}.");
        var adopted = proposed with { Version = current.Version + 1 };
        session.Events.Append(StreamKey, events.Count + 1L, new RoutingPolicyAdopted(adopted, changedBy, clock.GetUtcNow(), reason));
        await session.SaveChangesAsync(cancellationToken);
        _cached = null;
        log.LogInformation("{User} adopted routing policy version {Version}: {Reason}", changedBy, adopted.Version, reason);
        return adopted;
    }

    /// <summary>
    /// At first start, stores the configured policy as version 1. Later starts keep the stored policy: changes
    /// are audited events, not configuration edits. Safe when several workers start at once.
    /// </summary>
    public async Task<RoutingPolicy> AdoptIfNoneAsync(RoutingPolicy configured, CancellationToken cancellationToken)
    {
        if (await LoadAsync(cancellationToken) is { } existing) return existing;
        var adopted = configured with { Version = 1 };
        try
        {
            await using var session = store.LightweightSession();
            session.Events.StartStream(StreamKey,
                new RoutingPolicyAdopted(adopted, "system:configuration", clock.GetUtcNow(), "adopted from configuration at first start"));
            await session.SaveChangesAsync(cancellationToken);
            log.LogInformation("Adopted the configured routing policy as version 1 ({Types})", string.Join(", ", adopted.DocumentTypes.Keys));
            return adopted;
        }
        catch (Exception ex) when (ex is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
        {
            log.LogInformation("Another node adopted the routing policy first");
            return await LoadAsync(cancellationToken) ?? throw new InvalidOperationException("policy stream exists but is empty", ex);
        }
    }
}
