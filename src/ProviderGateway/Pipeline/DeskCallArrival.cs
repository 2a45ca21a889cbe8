using System.Globalization;

namespace ProviderGateway.Pipeline;

/// <summary>
/// When a desk's request reached the gateway (the first middleware), which is where the desk's <c>grpc-timeout</c> starts:
/// grpc-dotnet starts it only once its handler runs, after routing, authentication and the rate limiter, and a slow
/// start there (a cold process, a busy machine) would otherwise move the answer past the desk's own deadline.
/// </summary>
/// <param name="At">The arrival (UTC).</param>
public sealed record DeskCallArrival(DateTime At)
{
    /// <summary>
    /// The <c>grpc-timeout</c> header's value: 1 to 8 ASCII digits and a unit (H, M, S, m, u, n), as the gRPC over HTTP/2
    /// protocol writes it; false for anything else (grpc-dotnet then refuses or ignores it itself).
    /// </summary>
    public static bool TryParseTimeout(string? header, out TimeSpan timeout)
    {
        timeout = default;
        if (header is null || header.Length < 2 || header.Length > 9
            || !long.TryParse(header.AsSpan(0, header.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double? ticks = header[^1] switch
        {
            'H' => value * (double)TimeSpan.TicksPerHour,
            'M' => value * (double)TimeSpan.TicksPerMinute,
            'S' => value * (double)TimeSpan.TicksPerSecond,
            'm' => value * (double)TimeSpan.TicksPerMillisecond,
            'u' => value * (double)TimeSpan.TicksPerMicrosecond,
            'n' => value / 100.0,
            _ => null,
        };
        if (ticks is not { } t)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)Math.Ceiling(t));
        return true;
    }
}

/// <summary>Records each request's <see cref="DeskCallArrival"/>.</summary>
public static class DeskCallArrivalExtensions
{
    /// <summary>First in the pipeline: stamps every request with its arrival.</summary>
    public static IApplicationBuilder UseDeskCallArrival(this IApplicationBuilder app)
    {
        var time = app.ApplicationServices.GetRequiredService<TimeProvider>();
        return app.Use((context, next) =>
        {
            context.Features.Set(new DeskCallArrival(time.GetUtcNow().UtcDateTime));
            return next(context);
        });
    }
}
