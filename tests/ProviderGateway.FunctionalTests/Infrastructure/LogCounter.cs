using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// Counts a gateway's log lines by level (the lines its configured levels let through), keeping the Error ones and,
/// from Information up, each line's event id and message.
/// </summary>
public sealed class LogCounter : ILoggerProvider
{
    private readonly ConcurrentDictionary<LogLevel, int> _counts = new();

    /// <summary>The Error and Critical lines, as "category: message".</summary>
    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>The lines at Information or above, in order: level, event id, "category: message".</summary>
    public ConcurrentQueue<(LogLevel Level, int EventId, string Line)> Lines { get; } = new();

    /// <summary>Lines logged at <paramref name="level"/>.</summary>
    public int this[LogLevel level] => _counts.GetValueOrDefault(level);

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(LogCounter counter, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            counter._counts.AddOrUpdate(logLevel, 1, (_, n) => n + 1);
            if (logLevel >= LogLevel.Information)
            {
                counter.Lines.Enqueue((logLevel, eventId.Id, $"{category}: {formatter(state, exception)}"));
            }

            if (logLevel >= LogLevel.Error)
            {
                counter.Errors.Enqueue($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
