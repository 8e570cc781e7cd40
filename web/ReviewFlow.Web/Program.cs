using ReviewFlow.Web.Documents;
using ReviewFlow.Workflow.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddReviewFlow(HostRole.Web);
builder.Services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapGet("/health", () => Results.Ok(new { status = "ok" }));
app.MapDocumentEndpoints();
app.Run();
