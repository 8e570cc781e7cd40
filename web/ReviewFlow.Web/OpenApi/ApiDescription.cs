using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ReviewFlow.Web.OpenApi;

/// <summary>
/// GET /openapi/v1.json (any signed-in caller): the HTTP API as ASP.NET Core's OpenAPI generator reads it from the
/// endpoints (their tags, summaries, typed results and Produces metadata), with the bearer scheme, each operation's
/// roles and its 401/403 answers. Published as docs/openapi/v1.json; OpenApiDocumentTests fails when the two differ.
/// </summary>
public static class ApiDescription
{
    public const string Path = "/openapi/{documentName}.json";
    const string Bearer = "Bearer";

    public static WebApplicationBuilder AddApiDescription(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "ReviewFlow API",
                    Version = "v1",
                    Description = "Human review of ML document classifications: submit results, review tasks, quality, audit. " +
                                  "Every operation takes an OAuth 2.0 bearer token (Entra ID) unless it says otherwise; " +
                                  "errors are RFC 9457 problem details. Decisions also leave on AMQP (docs/contracts.md).",
                };
                // The server is wherever the host runs; a fixed document (docs/openapi/v1.json) names none.
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [Bearer] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        BearerFormat = "JWT",
                        Description = "An access token for the API's scope or an app role (docs/security.md).",
                    },
                };
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(async (operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<IAllowAnonymous>().Any()) return;
                var policy = await AuthorizationPolicy.CombineAsync(context.ApplicationServices.GetRequiredService<IAuthorizationPolicyProvider>(),
                    metadata.OfType<IAuthorizeData>(), metadata.OfType<AuthorizationPolicy>());
                // Every role requirement must pass (a group's and its endpoint's): the roles admitted are those in all of them.
                var required = policy?.Requirements.OfType<RolesAuthorizationRequirement>().Select(r => r.AllowedRoles).ToList() ?? [];
                var roles = required.Count == 0 ? [] : required.Skip(1).Aggregate(required[0].ToList(), (all, next) => all.Intersect(next).ToList());
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid bearer token." });
                if (roles.Count == 0) return;
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The caller has none of the roles." });
                operation.Description = (operation.Description is { } d ? d + "\n\n" : "") + $"Roles: {string.Join(", ", roles)}.";
            });
        });
        return builder;
    }

    public static void MapApiDescription(this WebApplication app) =>
        app.MapOpenApi(Path).RequireAuthorization(); // integrators sign in first; the description is not public
}
