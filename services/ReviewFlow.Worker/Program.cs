using ReviewFlow.Audit;
using ReviewFlow.Worker;
using ReviewFlow.Workflow.Operations;

// The worker: intake queues, the document saga, the decision relay, SLA timers and notifications (WorkerSlices.cs
// lists them). Run several for scale-out. It listens only for its probes and its metrics (/health/live, /health/ready,
// /metrics; Urls, default http://0.0.0.0:8081).
// `--migrate`: create or update the database schema as its owner, grant the services' role, and exit.
var migrateOnly = args.Contains("--migrate");
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--migrate").ToArray());
if (migrateOnly) builder.Configuration["Database:Migrate"] = "true";
builder.AddWorkerSlices();
var app = builder.Build();
if (migrateOnly)
{
    await DatabaseMigration.RunAsync(app.Services);
    Console.WriteLine("ReviewFlow database migrated.");
    return;
}
app.MapHealth();
app.MapMetrics();
app.Run();
