using Microsoft.Extensions.Logging;

namespace ProviderGateway.FunctionalTests.Infrastructure;

/// <summary>
/// Every log line of every gateway the suite starts (in-process ones through this provider, process ones when
/// they stop), appended to one file: <c>PG_CAPTURED_LOGS</c>, or captured-logs.txt next to the tests.
/// tools/test.sh scans it for IINs in clear (tools/security/scan-logs.py) once the suite has run.
/// </summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private static readonly Lazy<StreamWriter> Writer = new(() =>
    {
        var path = Environment.GetEnvironmentVariable("PG_CAPTURED_LOGS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "captured-logs.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    });

    /// <summary>The provider the test gateways log to.</summary>
    public static CapturedLogs Provider { get; } = new();

    /// <summary>Appends lines (a gateway process's output, say).</summary>
    public static void Append(string text)
    {
        lock (Writer)
        {
            Writer.Value.Write(text);
            if (!text.EndsWith('\n'))
            {
                Writer.Value.WriteLine();
            }
        }
    }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
        // Shared by every gateway of the run; the file is flushed line by line.
    }

    private sealed class Logger(string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Append($"{logLevel} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
