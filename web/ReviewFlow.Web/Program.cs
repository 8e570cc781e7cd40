using ReviewFlow.Web.Documents;
using ReviewFlow.Workflow.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddReviewFlow(HostRole.Web);
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapGet("/", () => Results.Ok(new
{
    service = "ReviewFlow",
    submit = "POST /api/v1/documents",
    document = "GET /api/v1/documents/{documentId}",
    history = "GET /api/v1/documents/{documentId}/history",
}));
app.MapDocumentEndpoints();
app.Run();
