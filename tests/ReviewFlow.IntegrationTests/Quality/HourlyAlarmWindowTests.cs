using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using ReviewFlow.Workflow.Notifying;
using ReviewFlow.Workflow.Quality;
using ReviewFlow.Workflow.Routing;

namespace ReviewFlow.IntegrationTests.Quality;

/// <summary>Claims with an override-rate limit and no fallback; the alarm job is run by the test, at a time of its choosing.</summary>
public sealed class HourlyAlarmSystem() : TestSystem(new SystemOptions
{
    Settings = new Dictionary<string, string?>
    {
        ["Routing:DocumentTypes:claim:Alarms:MaxOverrideRate"] = "0.2",
        ["Routing:DocumentTypes:claim:Alarms:MinSamples"] = "10",
        ["Quality:AlarmCron"] = "0 0 1 1 *",
        ["Timers:SweepCron"] = "0 0 1 1 *",
    },
});

/// <summary>
/// The alarms judge a recent window of whole UTC hours: a drift that starts at 14:00 raises the alarm within the configured
/// window instead of waiting for the good morning to leave a day's counts. Hour counts seeded as the counter writes them.
/// </summary>
public sealed class HourlyAlarmWindowTests(HourlyAlarmSystem system) : IClassFixture<HourlyAlarmSystem>
{
    const string Model = "2026.12-midday";
    static readonly DateTimeOffset Day = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_drift_starting_at_two_pm_raises_the_alarm_on_the_hours_since_not_diluted_by_the_morning()
    {
        // Confident claims (bin 95, above the 0.85 threshold): 06:00–13:00 each hour 100 human decisions, 2 changed;
        // 14:00 and 15:00 each 30, 25 changed.
        for (var hour = 6; hour <= 13; hour++) await SeedAsync(Day.AddHours(hour), human: 100, corrected: 2);
        for (var hour = 14; hour <= 15; hour++) await SeedAsync(Day.AddHours(hour), human: 30, corrected: 25);
        var now = Day.AddHours(15).AddMinutes(30);

        // A 24-hour window (from 15:00 the day before): (8·2 + 2·25) / (8·100 + 2·30) = 66/860 = 0.077 ≤ 0.2, no alarm.
        Assert.Equal(0, await EvaluateAsync(now, TimeSpan.FromDays(1)));

        // A 2-hour window starts at 13:00: (2 + 50) / (100 + 60) = 52/160 = 0.325 > 0.2, the alarm is raised.
        Assert.Equal(1, await EvaluateAsync(now, TimeSpan.FromHours(2)));
        await using var session = system.Store.QuerySession();
        var alert = Assert.Single((await QualityAlertLog.ReadAsync(session, CancellationToken.None)).Alerts);
        Assert.Equal(("claim", Model, QualityMetrics.OverrideRate, 160L, true), (alert.DocumentType, alert.ModelVersion, alert.Metric, alert.Samples, alert.Open));
        Assert.Equal(0.325, alert.Value!.Value, 6);
        Assert.Equal(now, alert.RaisedAt);
    }

    [Fact]
    public void The_window_starts_at_the_whole_hour_and_never_reaches_past_the_hours_kept()
    {
        var now = new DateTimeOffset(2026, 11, 30, 15, 42, 10, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), QualityAlarmJob.WindowStart(now, TimeSpan.FromHours(3)));
        Assert.Equal(now - QualityCounter.HourRetention - TimeSpan.FromMinutes(42) - TimeSpan.FromSeconds(10),
            QualityAlarmJob.WindowStart(now, TimeSpan.FromDays(30)));
    }

    async Task<int> EvaluateAsync(DateTimeOffset now, TimeSpan window)
    {
        var services = system.Worker.Services;
        var job = new QualityAlarmJob(system.Store, services.GetRequiredService<QualityStore>(), services.GetRequiredService<QualitySummaries>(),
            services.GetRequiredService<MartenRoutingPolicySource>(), services.GetRequiredService<IReviewNotifications>(), new FixedClock(now),
            Options.Create(new QualityOptions { AlarmWindow = window }), NullLogger<QualityAlarmJob>.Instance);
        return await job.EvaluateAsync(CancellationToken.None);
    }

    async Task SeedAsync(DateTimeOffset hour, long human, long corrected)
    {
        await using var connection = system.Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            insert into {system.Schema}.{QualityCounter.HoursTable} (document_type, predicted_label, model_version, hour, bin, decided, human,
                agreed, corrected, confidence_sum, human_confidence_sum)
            values ('claim', 'auto-damage', @model, @hour, 95, @human, @human, @agreed, @corrected, @human * 0.955, @human * 0.955)
            """, connection);
        cmd.Parameters.AddWithValue("model", Model);
        cmd.Parameters.AddWithValue("hour", hour);
        cmd.Parameters.AddWithValue("human", human);
        cmd.Parameters.AddWithValue("agreed", human - corrected);
        cmd.Parameters.AddWithValue("corrected", corrected);
        await cmd.ExecuteNonQueryAsync();
    }

    sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
