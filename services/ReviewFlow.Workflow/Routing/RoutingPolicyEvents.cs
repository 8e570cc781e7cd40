namespace ReviewFlow.Workflow.Routing;

/// <summary>A policy version became the active one. The policy's stream holds one such event per version.</summary>
public sealed record RoutingPolicyAdopted(RoutingPolicy Policy, string ChangedBy, DateTimeOffset At, string Reason);

/// <summary>One version as GET /api/v1/admin/routing-policy/history lists it.</summary>
public sealed record PolicyHistoryEntry(int Version, string ChangedBy, DateTimeOffset At, string Reason, RoutingPolicy Policy);
