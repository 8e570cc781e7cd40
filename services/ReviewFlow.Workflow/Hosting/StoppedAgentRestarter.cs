using JasperFx;
using JasperFx.Events.Daemon;
using IProjectionCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace ReviewFlow.Workflow.Hosting;

/// <summary>
/// Starts again a daemon agent (the decision relay, a projection, a subscription) that JasperFx stopped for good.
/// When an agent's progress write finds the stored progression moved past it (ProgressionProgressOutOfOrderException,
/// "multiple processes try to process the projection": two workers briefly both led, e.g. across a PostgreSQL restart
/// or a frozen node), the agent is Stopped, not Paused, and nothing starts it again: the combined fault suite saw the
/// relay stop so while documents kept being routed, and no decision left until the worker was restarted. Every 5 s,
/// on the node whose daemon holds agents (the leader; the others hold none), an agent stopped with a failure is
/// started again, from its stored progression.
/// </summary>
public sealed class StoppedAgentRestarter(IProjectionCoordinator coordinator, ILogger<StoppedAgentRestarter> log) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var daemon = coordinator.DaemonForMainDatabase();
                foreach (var agent in daemon.CurrentAgents())
                {
                    if (agent.Status != AgentStatus.Stopped || agent.Failure is not { } failure) continue;
                    log.LogWarning("Starting the daemon agent {Agent} again: it was stopped by {Failure}", agent.Name.Identity, failure.Message);
                    await daemon.StartAgentAsync(agent.Name.Identity, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Could not start stopped daemon agents again; trying in {Interval}", Interval);
            }
        }
    }
}
