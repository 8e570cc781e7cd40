using ReviewFlow.Audit;
using ReviewFlow.Web.Admin;
using ReviewFlow.Web.Audit;
using ReviewFlow.Web.Documents;
using ReviewFlow.Web.Live;
using ReviewFlow.Web.Reviews;
using ReviewFlow.Web.SignIn;
using ReviewFlow.Workflow.Hosting;
using ReviewFlow.Workflow.Operations;

var builder = WebApplication.CreateBuilder(args);
builder.AddReviewFlow(HostRole.Web, LiveSetup.AddLiveConsumers);
builder.AddReviewFlowAudit(HostRole.Web);
builder.Services.AddSignalR();
builder.AddReviewFlowSignIn();
builder.AddJobsDashboard();
builder.Services.AddSingleton<GroupDirectory>();
builder.Services.AddProblemDetails();
builder.AddReviewFlowHealth(HostRole.Web);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
// The reviewer page (wwwroot/index.html, app.js, app.css, lib/signalr): public files, served here, before sign-in and
// authorization, so the fallback policy never applies to them; the page signs in itself and sends a bearer token.
// "/" is the page; /api lists the API.
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous();
app.MapReviewFlowHealth();
app.MapGet("/api", () => Results.Ok(new
{
    service = "ReviewFlow",
    page = "/ (the reviewer workspace)",
    submit = "POST /api/v1/documents",
    document = "GET /api/v1/documents/{documentId}",
    history = "GET /api/v1/documents/{documentId}/history",
    queue = "GET /api/v1/queue",
    jobs = "/hangfire (Admins: POST /api/v1/admin/dashboard-session first)",
})).AllowAnonymous();
app.MapDocumentEndpoints();
app.MapReviewEndpoints();
app.MapSignInConfig();
app.MapAuditEndpoints();
app.MapAdminEndpoints();
app.MapDevelopmentSignIn();
app.MapHub<ReviewHub>(ReviewHub.Path);
app.MapJobsDashboard();
app.Run();
