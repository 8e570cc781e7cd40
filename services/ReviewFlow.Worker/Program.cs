using ReviewFlow.Audit;
using ReviewFlow.Workflow.Hosting;

// The worker: intake consumers, the document saga and the decision relay. Run several for scale-out.
var builder = Host.CreateApplicationBuilder(args);
builder.AddReviewFlow(HostRole.Worker);
builder.AddReviewFlowAudit(HostRole.Worker);
builder.Build().Run();
