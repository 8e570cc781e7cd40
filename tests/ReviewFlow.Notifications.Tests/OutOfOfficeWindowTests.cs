using Microsoft.Graph.Models;

namespace ReviewFlow.Notifications.Tests;

/// <summary>Graph gives scheduled absences as a local date-time plus a zone name (IANA or Windows).</summary>
public sealed class OutOfOfficeWindowTests
{
    [Theory]
    [InlineData("2026-07-01T10:00:00.0000000", "UTC", "2026-07-01T10:00:00Z")]
    [InlineData("2026-07-01T10:00:00.0000000", "Europe/Berlin", "2026-07-01T08:00:00Z")]
    [InlineData("2026-07-01T10:00:00.0000000", "W. Europe Standard Time", "2026-07-01T08:00:00Z")]
    [InlineData("2026-01-15T09:30:00.0000000", "Pacific Standard Time", "2026-01-15T17:30:00Z")]
    public void A_scheduled_time_is_read_in_its_own_time_zone(string local, string zone, string expectedUtc)
    {
        var utc = OutOfOfficeLookup.ToUtc(new DateTimeTimeZone { DateTime = local, TimeZone = zone });

        Assert.Equal(DateTimeOffset.Parse(expectedUtc, System.Globalization.CultureInfo.InvariantCulture), utc);
    }

    [Fact]
    public void A_window_is_away_only_between_its_start_and_end()
    {
        var setting = new AutomaticRepliesSetting
        {
            Status = AutomaticRepliesStatus.Scheduled,
            ScheduledStartDateTime = new DateTimeTimeZone { DateTime = "2026-07-01T00:00:00", TimeZone = "UTC" },
            ScheduledEndDateTime = new DateTimeTimeZone { DateTime = "2026-07-08T00:00:00", TimeZone = "UTC" },
        };

        Assert.False(OutOfOfficeLookup.Evaluate(setting, new DateTimeOffset(2026, 6, 30, 23, 59, 0, TimeSpan.Zero)).Away);
        Assert.True(OutOfOfficeLookup.Evaluate(setting, new DateTimeOffset(2026, 7, 1, 0, 0, 0, TimeSpan.Zero)).Away);
        Assert.False(OutOfOfficeLookup.Evaluate(setting, new DateTimeOffset(2026, 7, 8, 0, 0, 0, TimeSpan.Zero)).Away);
    }
}
