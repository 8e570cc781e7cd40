
namespace ReviewFlow.Workflow.Sla;

/// <summary>
/// Hangfire's log provider is process-wide (static); ASP.NET Core's adapter throws once its host's logger factory is
/// disposed, which broke job creation in the other hosts of a process (seen in the tests, where hosts come and go:
/// "Background job creation failed ... ObjectDisposedException: LoggerFactory"). This one logs through the host that
/// configured Hangfire last and goes quiet, rather than failing, once that host is gone.
/// </summary>
sealed class HostLogProvider(ILoggerFactory factory) : Hangfire.Logging.ILogProvider
{
    readonly Hangfire.Logging.ILogProvider _inner = new Hangfire.AspNetCore.AspNetCoreLogProvider(factory);

    public Hangfire.Logging.ILog GetLogger(string name)
    {
        try
        {
            return new Quiet(_inner.GetLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new Quiet(null);
        }
    }

    sealed class Quiet(Hangfire.Logging.ILog? inner) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                return inner?.Log(logLevel, messageFunc!, exception) ?? false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
