using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Marten;
using MassTransit;
using ReviewFlow.Contracts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReviewFlow.Workflow.Hosting;
using Weasel.Postgresql.Tables;

namespace ReviewFlow.Workflow.Reviewing;

/// <summary>
/// The commands that carry a reviewer's identity (claim, release, reassign, decide) are accepted by the saga only from
/// the web host, which checked the caller's token: it seals each with an HMAC-SHA256 over the command, its type and
/// the time, under a key only the services hold (<see cref="CommandKey"/>). Anyone else who can publish to the saga's
/// queue (a leaked broker password) cannot forge one, nor replay one older than <see cref="MaxAge"/>. ADR 0015.
/// </summary>
public sealed class CommandSeal(CommandKey key, TimeProvider clock)
{
    /// <summary>The message header: <c>v1.{unix ms}.{base64 HMAC}</c>.</summary>
    public const string Header = "ReviewFlow-Seal";

    /// <summary>A request waits 30 s for its answer; a command older than this is a replay, not a late delivery.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(2);

    /// <summary>How far ahead of this node's clock another node's may run.</summary>
    static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);

    public void Apply<T>(SendContext<T> context) where T : class =>
        context.Headers.Set(Header, Seal(context.Message, clock.GetUtcNow()));

    /// <summary>The one way the web host sends a reviewer command to the saga: sealed, answered after its commit.</summary>
    public Task<Response<ReviewCommandAccepted, ReviewCommandRefused>> RequestAsync<T>(IRequestClient<T> client, T command,
        CancellationToken ct) where T : class =>
        client.GetResponse<ReviewCommandAccepted, ReviewCommandRefused>(command, x => x.UseExecute(Apply), ct);

    public string Seal<T>(T command, DateTimeOffset at) where T : class
    {
        var ms = at.ToUnixTimeMilliseconds();
        return $"v1.{ms}.{Convert.ToBase64String(Mac(command, ms))}";
    }

    /// <summary>Null when the seal is genuine and fresh; otherwise why the command is not accepted, in plain words.</summary>
    public string? Check<T>(T command, string? seal) where T : class
    {
        if (string.IsNullOrEmpty(seal)) return "the command is not sealed by the web host";
        var parts = seal.Split('.');
        if (parts is not ["v1", var time, var mac] || !long.TryParse(time, out var ms)) return "the command's seal is malformed";
        byte[] given;
        try { given = Convert.FromBase64String(mac); }
        catch (FormatException) { return "the command's seal is malformed"; }
        if (!CryptographicOperations.FixedTimeEquals(given, Mac(command, ms))) return "the command's seal does not match it";
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (age > MaxAge) return $"the command was sealed {age.TotalSeconds:0} s ago: a replay";
        if (age < -Skew) return "the command was sealed in the future";
        return null;
    }

    // Both sides serialize the same record type with the same options, so the bytes are the same.
    byte[] Mac<T>(T command, long ms) where T : class =>
        HMACSHA256.HashData(key.Value, Encoding.UTF8.GetBytes($"{typeof(T).Name}\n{ms}\n{JsonSerializer.Serialize(command)}"));

    /// <summary>Both hosts: the web host seals, the worker's saga checks. The key is loaded before the bus starts.</summary>
    public static void Register(IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<CommandKey>();
        builder.Services.TryAddSingleton<CommandSeal>();
        if (builder.Services.Any(d => d.ImplementationType == typeof(CommandKeyLoader))) return;
        // Before AddBus registers the bus's hosted service: hosted services start in registration order.
        builder.Services.AddHostedService<CommandKeyLoader>();
        builder.Services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(CommandKey.Definition(EventStore.Schema(builder.Configuration))));
    }
}

/// <summary>
/// The sealing key: Bus:CommandKey (base64, at least 32 bytes) from the deployment's secret store, or, when that is not
/// configured, one made at random by the first host to start and kept in the database (rf_command_key), which the
/// upstream and downstream parties cannot reach. docs/security.md says how to rotate it.
/// </summary>
public sealed class CommandKey
{
    public const string Table = "rf_command_key";
    byte[]? _value;

    public byte[] Value => _value ?? throw new InvalidOperationException("The command key is not loaded yet (CommandKeyLoader).");

    public void Use(byte[] value)
    {
        if (value.Length < 32) throw new InvalidOperationException("The command key must be at least 32 bytes (256 bits).");
        _value = value;
    }

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Table}");
        table.AddColumn<int>("id").AsPrimaryKey();
        table.AddColumn("key", "bytea").NotNull();
        table.AddColumn<DateTimeOffset>("created_at").NotNull().DefaultValueByExpression("now()");
        return table;
    }
}

sealed class CommandKeyLoader(CommandKey key, IConfiguration configuration, IDocumentStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configuration["Bus:CommandKey"] is { Length: > 0 } configured)
        {
            key.Use(Convert.FromBase64String(configured));
            return;
        }
        var schema = store.Options.Events.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        // Two hosts starting at once both try; the first insert wins and both read it.
        await using var cmd = new Npgsql.NpgsqlCommand(
            $"with made as (insert into {schema}.{CommandKey.Table} (id, key) values (1, $1) on conflict do nothing returning key) " +
            $"select key from made union all select key from {schema}.{CommandKey.Table} where id = 1 limit 1", connection)
        {
            Parameters = { new() { Value = RandomNumberGenerator.GetBytes(32) } },
        };
        key.Use((byte[])(await cmd.ExecuteScalarAsync(cancellationToken))!);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
