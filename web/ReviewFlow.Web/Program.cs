using ReviewFlow.Audit;
using ReviewFlow.Web.Admin;
using ReviewFlow.Web.Demo;
using ReviewFlow.Web.Security;
using ReviewFlow.Web.SignIn;
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
builder.AddJobStorage();
builder.AddQuality();
builder.AddAuditTrail().AddAuditQueries();
builder.AddSignIn();
builder.AddRateLimits();
builder.AddJobsDashboard();
builder.AddHealth();
builder.AddBus();
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The pages (wwwroot: index.html, audit.html, js/, lib/signalr): public files, served here, before sign-in and
// authorization, so the fallback policy never applies to them; a page signs in itself and sends a bearer token.
// "/" is the reviewer page; /api lists the API.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseDemoContent();
app.UseAuthentication();
app.UseRateLimiter(); // after sign-in: the budget is the user's; before authorization: refused callers count too
app.UseAuthorization();
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
app.MapHealth();
app.MapGet("/api", () => Results.Ok(new
{
    service = "ReviewFlow",
    page = "/ (the reviewer workspace)",
    submit = "POST /api/v1/documents",
    document = "GET /api/v1/documents/{documentId}",
    history = "GET /api/v1/documents/{documentId}/history",
    content = "GET /api/v1/documents/{documentId}/content",
    queue = "GET /api/v1/queue",
    jobs = "/hangfire (Admins: POST /api/v1/admin/dashboard-session first)",
})).AllowAnonymous();
app.MapIntake();
app.MapDocuments();
app.MapDocumentContent();
app.MapNotificationHistory();
app.MapReviewQueue();
app.MapReviewing();
app.MapSupervising();
app.MapLiveUpdates();
app.MapRoutingPolicy();
app.MapQuality();
app.MapAudit();
app.MapSignInConfig();
app.MapDevelopmentSignIn();
app.MapJobsDashboard();
app.Run();
