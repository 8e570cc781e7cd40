using ReviewFlow.Audit;
using ReviewFlow.Teams;
using ReviewFlow.Web.Admin;
using ReviewFlow.Web.Demo;
using ReviewFlow.Web.OpenApi;
using ReviewFlow.Web.Security;
using ReviewFlow.Web.SignIn;
using ReviewFlow.Web.Teams;
using ReviewFlow.Workflow.Content;
using ReviewFlow.Workflow.Documents;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Intake;
using ReviewFlow.Workflow.Live;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Operations;
using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Queue;
using ReviewFlow.Workflow.Reviewing;
using ReviewFlow.Workflow.Routing;
using ReviewFlow.Workflow.Sla;
using ReviewFlow.Workflow.Supervising;

// The web host: the API, the live hub and the pages. It reads the store and sends commands; the worker's saga writes.
var builder = WebApplication.CreateBuilder(args);
builder.AddEventStore();
builder.AddRoutingPolicy();
builder.AddIntake();
builder.AddDocuments();
builder.AddDocumentContent();
builder.AddReviewQueue();
builder.AddReviewing();
builder.AddLiveUpdates();
builder.AddNotificationHistory();
builder.AddMemberPresence();
builder.AddJobStorage();
builder.AddQuality();
builder.AddAuditTrail().AddAuditQueries();
builder.AddSignIn();
builder.AddTeamsBot();
builder.AddRateLimits();
builder.AddJobsDashboard();
builder.AddHealth();
builder.AddTelemetry("reviewflow-web");
builder.AddOperations();
builder.AddBus();
builder.AddApiDescription();
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The pages (wwwroot: index.html, audit.html, js/, lib/signalr): public files, served here, before sign-in and
// authorization, so the fallback policy never applies to them; a page signs in itself and sends a bearer token.
// "/" is the reviewer page; /api lists the API.
app.UseTeamsTab(); // /teams: the reviewer page as the Teams tab (its own frame-ancestors, above)
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseDemoContent();
app.UseDocumentLogScope();
app.UseAuthentication();
app.UseRateLimiter(); // after sign-in: the budget is the user's; before authorization: refused callers count too
app.UseAuthorization();
app.MapGet("/health", () => TypedResults.Ok(new Alive("ok"))).AllowAnonymous().WithTags("Health").WithSummary("The host answers");
app.MapHealth();
app.MapMetrics();
app.MapOperations();
app.MapGet("/api", () => TypedResults.Ok(new ApiIndex("ReviewFlow", "/ (the reviewer workspace)", ApiDescription.Path.Replace("{documentName}", "v1"),
        "/hangfire (Admins: POST /api/v1/admin/dashboard-session first)")))
    .AllowAnonymous().WithTags("Health").WithSummary("Where the pages, the API's OpenAPI description and the jobs dashboard are");
app.MapIntake();
app.MapDocuments();
app.MapDocumentContent();
app.MapNotificationHistory();
app.MapReviewQueue();
app.MapReviewing();
app.MapTeamsBot();
app.MapSupervising();
app.MapLiveUpdates();
app.MapRoutingPolicy();
app.MapQuality();
app.MapAudit();
app.MapSignInConfig();
app.MapDevelopmentSignIn();
app.MapJobsDashboard();
app.MapApiDescription();
app.Run();

/// <summary>GET /health: the process answers (readiness is /health/ready).</summary>
sealed record Alive(string Status);

/// <summary>GET /api: where to go next; the operations themselves are in the OpenAPI description (signed-in callers).</summary>
sealed record ApiIndex(string Service, string Page, string OpenApi, string Jobs);
