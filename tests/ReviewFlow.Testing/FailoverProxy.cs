using System.Net;
using System.Net.Sockets;

namespace ReviewFlow.Testing;

/// <summary>
/// A TCP failover proxy standing in for the deployment's load balancer (nginx in docker-compose.yml): each accepted
/// connection goes to the first backend, in order, that accepts one; bytes are copied both ways until either side
/// closes, then both are closed. While node A is up everything goes to A (as sticky as nginx's cookie); when A dies its
/// connections end with it and new ones go to B. No HTTP parsing, so WebSockets pass as they are.
/// </summary>
public sealed class FailoverProxy : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly IReadOnlyList<Uri> _backends;
    readonly CancellationTokenSource _stop = new();
    readonly Task _accepting;
    int _accepted;

    public FailoverProxy(params Uri[] backends)
    {
        _backends = backends;
        Forwarded = new int[backends.Length];
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>Connections taken per backend (by its index in the constructor's list).</summary>
    public int[] Forwarded { get; }

    /// <summary>Connections accepted, whether or not a backend took them.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            Interlocked.Increment(ref _accepted);
            _ = ForwardAsync(client);
        }
    }

    async Task ForwardAsync(TcpClient client)
    {
        using (client)
        {
            for (var i = 0; i < _backends.Count; i++)
            {
                using var backend = new TcpClient();
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                connect.CancelAfter(TimeSpan.FromSeconds(1)); // a dead node on loopback refuses at once; a frozen one would hang
                try
                {
                    await backend.ConnectAsync(_backends[i].Host, _backends[i].Port, connect.Token);
                }
                catch (Exception) when (!_stop.IsCancellationRequested)
                {
                    continue; // refused or too slow: the next backend
                }
                catch (Exception) { return; }
                Interlocked.Increment(ref Forwarded[i]);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = CopyAsync(client.GetStream(), backend.GetStream(), done.Token);
                var down = CopyAsync(backend.GetStream(), client.GetStream(), done.Token);
                await Task.WhenAny(up, down); // either side closed or reset: end both, as a load balancer does
                done.Cancel();
                return;
            }
            // No backend: the client sees the connection closed, as from a load balancer with nothing behind it.
        }
    }

    static async Task CopyAsync(NetworkStream from, NetworkStream to, CancellationToken token)
    {
        try
        {
            await from.CopyToAsync(to, token);
        }
        catch (Exception) { } // reset or cancelled: the same as closed here
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
