using ReviewFlow.Audit;
using ReviewFlow.Workflow.Hosting;

// The worker: intake consumers, the document saga and the decision relay. Run several for scale-out.
// `--migrate`: create or update the database schema as its owner, grant the services' role, and exit.
var migrateOnly = args.Contains("--migrate");
var builder = Host.CreateApplicationBuilder(args.Where(a => a != "--migrate").ToArray());
if (migrateOnly) builder.Configuration["Database:Migrate"] = "true";
builder.AddReviewFlow(HostRole.Worker);
builder.AddReviewFlowAudit(HostRole.Worker);
var host = builder.Build();
if (migrateOnly)
{
    await DatabaseMigration.RunAsync(host.Services);
    Console.WriteLine("ReviewFlow database migrated.");
    return;
}
host.Run();
