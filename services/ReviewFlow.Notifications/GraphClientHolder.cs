using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Graph.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace ReviewFlow.Notifications;

/// <summary>
/// One GraphServiceClient for the process: ClientSecretCredential (Azure.Identity) for app-only tokens, both it and the
/// Graph calls over the named HttpClient <see cref="NotificationsSetup.GraphHttpClientName"/> (so a host or a test can
/// set its primary handler), and the SDK's default middleware minus its RetryHandler (our AttemptLoop retries).
/// </summary>
internal sealed class GraphClientHolder(IOptions<NotificationOptions> options, IHttpClientFactory httpClients, IHttpMessageHandlerFactory handlers) : IDisposable
{
    private readonly Lazy<GraphServiceClient> _client = new(() => Create(options.Value.Graph!, httpClients, handlers));

    public GraphServiceClient Client => _client.Value;

    private static GraphServiceClient Create(GraphOptions graph, IHttpClientFactory httpClients, IHttpMessageHandlerFactory handlers)
    {
        var credential = new ClientSecretCredential(graph.TenantId, graph.ClientId, graph.ClientSecret, new ClientSecretCredentialOptions
        {
            AuthorityHost = new Uri(graph.AuthorityHost),
            DisableInstanceDiscovery = graph.DisableInstanceDiscovery,
            Transport = new HttpClientTransport(httpClients.CreateClient(NotificationsSetup.GraphHttpClientName)),
        });
        var baseUrl = graph.BaseUrl.TrimEnd('/');
        var graphUri = new Uri(baseUrl);
        var scope = graphUri.GetLeftPart(UriPartial.Authority) + "/.default";
        var auth = new AzureIdentityAuthenticationProvider(credential, [graphUri.Host], null, true, scope);

        var middleware = GraphClientFactory.CreateDefaultHandlers().Where(h => h is not RetryHandler).ToList();
        var http = GraphClientFactory.Create(middleware, finalHandler: handlers.CreateHandler(NotificationsSetup.GraphHttpClientName), disposeHandler: false);
        http.Timeout = Timeout.InfiniteTimeSpan; // each attempt has its own limit (Retry:AttemptTimeout)
        return new GraphServiceClient(http, auth, baseUrl);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}
