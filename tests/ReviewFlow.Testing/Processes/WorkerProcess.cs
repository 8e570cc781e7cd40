namespace ReviewFlow.Testing.Processes;

/// <summary>The real worker executable in its own process, so a test can kill it with SIGKILL mid-flight (and the benchmark run it as deployed).</summary>
public sealed class WorkerProcess(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    : HostProcess(name, environment, arguments)
{
    protected override string Kind => "worker";

    // REVIEWFLOW_WORKER_DLL: another build of the worker (e.g. an older one, to show a fault test failing on it).
    protected override string Dll() => BuiltDll("services", "ReviewFlow.Worker", "REVIEWFLOW_WORKER_DLL");

    /// <summary>A worker under the test routing policy on the given servers and schema; extra settings as environment variables.</summary>
    public static WorkerProcess For(string name, string postgres, string rabbitMq, string schema, Dictionary<string, string>? extra = null)
    {
        var env = EnvironmentFor(postgres, rabbitMq, schema,
            TestPolicy.Settings.Concat(extra?.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)) ?? []));
        env["DOTNET_ENVIRONMENT"] = "Testing";
        env["Logging__LogLevel__Marten"] = "Information"; // the daemon's leadership and progress, in the test output on failure
        env["Logging__LogLevel__JasperFx"] = "Information";
        return new WorkerProcess(name, env);
    }

    /// <summary>`ReviewFlow.Worker --migrate` on <paramref name="environment"/>, as the deployment's migrate job runs it; throws on failure.</summary>
    public static async Task MigrateAsync(IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var migrate = new WorkerProcess("migrate", environment, "--migrate");
        var exitCode = await migrate.RunToExitAsync(timeout, cancellationToken);
        if (exitCode != 0) throw new InvalidOperationException($"the migration failed ({exitCode}):\n{migrate.Tail()}");
    }
}
