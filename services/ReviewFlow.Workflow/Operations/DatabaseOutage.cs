using System.Net.Sockets;
using Npgsql;

namespace ReviewFlow.Workflow.Operations;

/// <summary>The database went away (a restart, a crash, a failover): worth waiting for, unlike a refusal of the work.</summary>
public static class DatabaseOutage
{
    /// <summary>Shut down (57P01), crashed (57P02), still starting (57P03), or the socket closed or refused.</summary>
    public static bool ServerWentAway(NpgsqlException e) =>
        e is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }
        || e is not PostgresException && e.InnerException is IOException or SocketException;
}
