using System.Globalization;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace ReviewFlow.Notifications;

/// <summary>Who and what one delivery is about (one notification to one recipient over one channel).</summary>
internal sealed record Delivery(string NotificationId, string? DocumentId, string Kind, string Channel, string Recipient);

/// <summary>Records attempts; a failing log is logged, never thrown to the caller.</summary>
internal sealed class AttemptRecorder(INotificationLog log, TimeProvider time, ILogger<AttemptRecorder> logger)
{
    public async Task RecordAsync(Delivery d, int attempt, string outcome, int? status, string? detail, CancellationToken ct)
    {
        var record = new NotificationAttempt(d.NotificationId, d.DocumentId, d.Kind, d.Channel, d.Recipient,
            attempt, outcome, status, detail, time.GetUtcNow());
        // Skips (channel off, out of office, no address) are routine and stored anyway: Debug, not a line per task.
        logger.Log(outcome switch { NotificationNames.Failed => LogLevel.Warning, NotificationNames.Skipped => LogLevel.Debug, _ => LogLevel.Information },
            "Notification {NotificationId} via {Channel} to {Recipient}: attempt {Attempt} {Outcome} {HttpStatus} {Detail}",
            d.NotificationId, d.Channel, d.Recipient, attempt, outcome, status, detail);
        try
        {
            await log.RecordAsync(record, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record notification attempt {NotificationId} #{Attempt}", d.NotificationId, attempt);
        }
    }

    public Task SkippedAsync(Delivery d, string detail, CancellationToken ct) =>
        RecordAsync(d, 1, NotificationNames.Skipped, null, detail, ct);
}

/// <summary>
/// The attempt loop around one Graph send (docs/adr/0006): the SDK's own RetryHandler is left out of the pipeline so
/// that every attempt is seen and recorded here. 429/408/5xx and network errors are retried, honouring Retry-After
/// (a Retry-After beyond MaxDelay ends the attempts instead of retrying early), otherwise with exponential back-off.
/// Bad credentials and other 4xx are not retried. Nothing but the caller's cancellation is thrown.
/// </summary>
internal sealed class AttemptLoop(IOptions<NotificationOptions> options, AttemptRecorder recorder, TimeProvider time)
{
    private RetryOptions Retry => options.Value.Retry;

    public async Task RunAsync(Delivery delivery, int successStatus, Func<CancellationToken, Task> send, string? sentDetail, CancellationToken ct)
    {
        var max = Math.Max(1, Retry.MaxAttempts);
        for (var attempt = 1; ; attempt++)
        {
            Failure failure;
            try
            {
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attemptCts.CancelAfter(Retry.AttemptTimeout);
                try
                {
                    await send(attemptCts.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested && attemptCts.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer within {Retry.AttemptTimeout.TotalSeconds:0.#} s");
                }
                await recorder.RecordAsync(delivery, attempt, NotificationNames.Sent, successStatus, sentDetail, ct);
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                failure = Classify(ex);
            }

            var detail = failure.Detail;
            TimeSpan? wait = null;
            if (!failure.Retryable) detail += " (not retried)";
            else if (attempt >= max) detail += $" (gave up after {max} attempts)";
            else if (failure.RetryAfter is { } ra && ra > Retry.MaxDelay)
                detail += $" (not retried: Retry-After {ra.TotalSeconds:0} s exceeds Retry:MaxDelay {Retry.MaxDelay.TotalSeconds:0} s)";
            else wait = failure.RetryAfter ?? Backoff(attempt);

            await recorder.RecordAsync(delivery, attempt, NotificationNames.Failed, failure.Status, detail, ct);
            if (wait is null) return;
            await Task.Delay(wait.Value, time, ct);
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var baseMs = Retry.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var withJitter = baseMs * (1 + Random.Shared.NextDouble() * 0.2);
        return TimeSpan.FromMilliseconds(Math.Min(withJitter, Retry.MaxDelay.TotalMilliseconds));
    }

    internal sealed record Failure(bool Retryable, int? Status, TimeSpan? RetryAfter, string Detail);

    internal static Failure Classify(Exception ex)
    {
        switch (ex)
        {
            case AuthenticationFailedException or CredentialUnavailableException:
                return new Failure(false, null, null,
                    "Graph sign-in failed; check Notifications:Graph TenantId, ClientId and ClientSecret: " + FirstLine(ex.Message));
            case ApiException api:
                var status = api.ResponseStatusCode;
                var retryAfter = RetryAfter(api.ResponseHeaders);
                var what = api is ODataError { Error: { } e } ? $"{e.Code}: {e.Message}" : FirstLine(api.Message);
                var retryable = status is 408 or 429 or 500 or 502 or 503 or 504;
                var label = status switch
                {
                    429 => "throttled by Graph",
                    401 or 403 => "Graph refused the app (check its application permissions)",
                    _ => $"Graph answered {status}",
                };
                return new Failure(retryable, status, retryAfter, $"{label}: {Limit(what)}");
            case ReviewFlow.Teams.ConnectorException c:
                return new Failure(c.Retryable, c.Status, c.RetryAfter, c.Status == 429 ? "throttled by the Bot Connector: " + c.Message : c.Message);
            case TimeoutException:
                return new Failure(true, null, null, "Graph timed out: " + ex.Message);
            case HttpRequestException http:
                return new Failure(true, http.StatusCode is { } sc ? (int)sc : null, null, "Graph unreachable: " + FirstLine(http.Message));
            default:
                return new Failure(false, null, null, $"{ex.GetType().Name}: {FirstLine(ex.Message)}");
        }
    }

    private static TimeSpan? RetryAfter(IDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null) return null;
        foreach (var (key, values) in headers)
        {
            if (!key.Equals("Retry-After", StringComparison.OrdinalIgnoreCase)) continue;
            var value = values.FirstOrDefault()?.Trim();
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var delta = at - DateTimeOffset.UtcNow;
                return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
        }
        return null;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return Limit(line);
    }

    private static string Limit(string? s) => s is null ? "" : s.Length <= 300 ? s : s[..300] + "…";
}
