using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Options;
using ProviderGateway.Configuration;
using ProviderGateway.Resilience;

namespace ProviderGateway.HealthChecks;

/// <summary>What live traffic to one provider showed over the recent window.</summary>
/// <param name="Window">The window covered.</param>
/// <param name="Calls">Attempts made (retries included).</param>
/// <param name="Failures">Attempts that failed (<see cref="ProviderFailures.IsFailure"/>).</param>
/// <param name="LastFailureTime">The last failure in the window, if any.</param>
/// <param name="LastFailureCode">Its code, if any.</param>
public readonly record struct PassiveHealthReport(TimeSpan Window, long Calls, long Failures, DateTimeOffset? LastFailureTime, StatusCode? LastFailureCode);

/// <summary>
/// Passive health checking: every attempt's outcome, counted per provider in one-second buckets over
/// <see cref="ResilienceOptions.PassiveHealthWindow"/>, so the directory can show how each provider fares on
/// real traffic beside what its health probe says.
/// </summary>
public sealed class PassiveHealthTracker(IOptions<ResilienceOptions> options, TimeProvider time)
{
    private readonly int _seconds = Math.Max(1, (int)Math.Ceiling(options.Value.PassiveHealthWindow.TotalSeconds));
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Records one attempt: <c>null</c> for an answer, else the code of the failure.</summary>
    public void Record(string providerId, StatusCode? outcome)
    {
        var failed = outcome is { } code && ProviderFailures.IsFailure(code);
        _windows.GetOrAdd(providerId, _ => new Window(_seconds)).Record(time.GetUtcNow(), failed, outcome);
    }

    /// <summary>The provider's figures over the window.</summary>
    public PassiveHealthReport ReportOf(string providerId) =>
        _windows.TryGetValue(providerId, out var window)
            ? window.Report(time.GetUtcNow(), TimeSpan.FromSeconds(_seconds))
            : new PassiveHealthReport(TimeSpan.FromSeconds(_seconds), 0, 0, null, null);

    private sealed class Window(int seconds)
    {
        private readonly Lock _lock = new();
        private readonly long[] _second = new long[seconds];
        private readonly long[] _calls = new long[seconds];
        private readonly long[] _failures = new long[seconds];
        private DateTimeOffset? _lastFailure;
        private StatusCode? _lastFailureCode;

        public void Record(DateTimeOffset now, bool failed, StatusCode? code)
        {
            var second = now.ToUnixTimeSeconds();
            var slot = (int)(second % _second.Length);
            lock (_lock)
            {
                if (_second[slot] != second)
                {
                    _second[slot] = second;
                    _calls[slot] = 0;
                    _failures[slot] = 0;
                }

                _calls[slot]++;
                if (failed)
                {
                    _failures[slot]++;
                    _lastFailure = now;
                    _lastFailureCode = code;
                }
            }
        }

        public PassiveHealthReport Report(DateTimeOffset now, TimeSpan span)
        {
            var oldest = now.ToUnixTimeSeconds() - _second.Length + 1;
            lock (_lock)
            {
                long calls = 0, failures = 0;
                for (var i = 0; i < _second.Length; i++)
                {
                    if (_second[i] >= oldest)
                    {
                        calls += _calls[i];
                        failures += _failures[i];
                    }
                }

                var recent = _lastFailure is { } last && now - last <= span;
                return new PassiveHealthReport(span, calls, failures, recent ? _lastFailure : null, recent ? _lastFailureCode : null);
            }
        }
    }
}
