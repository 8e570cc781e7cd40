using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ReviewFlow.Testing;

/// <summary>Captures log lines (category, level, message, exception) from every logger.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> _lines = new();
    public IReadOnlyList<(string Category, LogLevel Level, string Message, Exception? Exception)> Lines => _lines.ToArray();
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);
    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string, Exception?)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
