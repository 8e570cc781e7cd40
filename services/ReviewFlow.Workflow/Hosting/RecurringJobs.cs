using Hangfire;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>A recurring Hangfire job a slice registers (or updates, or removes) when a worker starts.</summary>
public sealed record RecurringJobRegistration(string JobId, Action<IServiceProvider, IRecurringJobManager> Apply);

/// <summary>
/// Every worker registers the recurring jobs at start, idempotently, in the background and until it succeeds.
/// Hangfire's AddOrUpdate takes a distributed lock per job; a worker killed while holding one (SIGKILL, a lost node)
/// leaves it held until Hangfire's lock timeout, and AddOrUpdate then throws after waiting. Called from a hosted
/// service's StartAsync, that exception stopped the restarted worker before it consumed anything (seen in
/// WorkerCrashTests: both restarted workers died at start). Now the worker starts, logs, and retries the job later.
/// </summary>
public static class RecurringJobs
{
    public static IServiceCollection AddRecurringJob(this IServiceCollection services, string jobId, Action<IServiceProvider, IRecurringJobManager> apply)
    {
        services.AddSingleton(new RecurringJobRegistration(jobId, apply));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RecurringJobsBootstrap>());
        return services;
    }

    sealed class RecurringJobsBootstrap(
        IEnumerable<RecurringJobRegistration> registrations, IServiceProvider services, ILogger<RecurringJobsBootstrap> log) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Yield(); // AddOrUpdate blocks while it waits for its lock: never on the host's start path
            var pending = registrations.ToList();
            var delay = TimeSpan.FromSeconds(5);
            while (pending.Count > 0 && !stoppingToken.IsCancellationRequested)
            {
                var recurring = services.GetRequiredService<IRecurringJobManager>();
                foreach (var registration in pending.ToList())
                {
                    try
                    {
                        registration.Apply(services, recurring);
                        pending.Remove(registration);
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        log.LogWarning("The recurring job {JobId} is not registered yet ({Reason}); this worker tries again in {Delay} s",
                            registration.JobId, ex.Message, delay.TotalSeconds);
                    }
                }
                if (pending.Count == 0) break;
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
        }
    }
}
