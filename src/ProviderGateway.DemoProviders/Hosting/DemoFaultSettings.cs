using Grpc.Core;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// A partial update of a demo provider's faults, as plain values: the JSON body of
/// <c>PUT /demo/faults</c> (<c>{"latencyMs":200,"errorRate":0.3,"errorCode":"Unavailable","hang":false,"down":false,"loseWriteAnswers":false}</c>),
/// the answer of <c>GET /demo/faults</c>, and the <c>Faults</c> configuration section of the standalone
/// demo providers. Unset (<c>null</c>) values are left as they are.
/// </summary>
public sealed record DemoFaultSettings
{
    /// <summary>Delay added before each answer, in milliseconds, zero or more.</summary>
    public double? LatencyMs { get; init; }

    /// <summary>Share of calls, 0 to 1, that fail with <see cref="ErrorCode"/>.</summary>
    public double? ErrorRate { get; init; }

    /// <summary>The gRPC status of random failures, by name: "Unavailable", "ResourceExhausted" or "RESOURCE_EXHAUSTED"...</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Accept every call and never answer.</summary>
    public bool? Hang { get; init; }

    /// <summary>Answer every call UNAVAILABLE and report NOT_SERVING on health.</summary>
    public bool? Down { get; init; }

    /// <summary>Answer every successful write UNAVAILABLE after applying it (its answer is lost).</summary>
    public bool? LoseWriteAnswers { get; init; }

    /// <summary>Restart the random failures from this seed, for a repeatable sequence.</summary>
    public int? RandomSeed { get; init; }

    /// <summary>The current faults as settings (without a random seed, which cannot be read back).</summary>
    public static DemoFaultSettings From(DemoFaults faults) => new()
    {
        LatencyMs = faults.Latency.TotalMilliseconds,
        ErrorRate = faults.ErrorRate,
        ErrorCode = faults.ErrorCode.ToString(),
        Hang = faults.Hang,
        Down = faults.Down,
        LoseWriteAnswers = faults.LoseWriteAnswers,
    };

    /// <summary>Every problem of these settings, one sentence each; empty when they can be applied.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (LatencyMs is { } latency && !(latency >= 0 && latency <= TimeSpan.FromHours(1).TotalMilliseconds))
        {
            problems.Add("latencyMs must be between 0 and 3600000 (one hour).");
        }

        if (ErrorRate is { } rate && !(rate is >= 0 and <= 1))
        {
            problems.Add("errorRate must be between 0 and 1 (the share of calls that fail).");
        }

        if (ErrorCode is not null && ParseStatusCode(ErrorCode) is null)
        {
            var codes = string.Join(", ", Enum.GetNames<StatusCode>().Where(n => n != nameof(StatusCode.OK)));
            problems.Add($"errorCode must name a gRPC status code other than OK: {codes}.");
        }

        return problems;
    }

    /// <summary>Applies the set values to running faults.</summary>
    /// <exception cref="ArgumentException">When <see cref="Validate"/> finds problems.</exception>
    public void ApplyTo(DemoFaults faults)
    {
        ThrowIfInvalid();
        if (LatencyMs is { } latency)
        {
            faults.Latency = TimeSpan.FromMilliseconds(latency);
        }

        if (ErrorRate is { } rate)
        {
            faults.ErrorRate = rate;
        }

        if (ErrorCode is not null)
        {
            faults.ErrorCode = ParseStatusCode(ErrorCode)!.Value;
        }

        if (Hang is { } hang)
        {
            faults.Hang = hang;
        }

        if (Down is { } down)
        {
            faults.Down = down;
        }

        if (LoseWriteAnswers is { } loseWriteAnswers)
        {
            faults.LoseWriteAnswers = loseWriteAnswers;
        }

        if (RandomSeed is { } seed)
        {
            faults.Reseed(seed);
        }
    }

    /// <summary>Initial fault options: <paramref name="baseline"/> overridden by the set values.</summary>
    /// <exception cref="ArgumentException">When <see cref="Validate"/> finds problems.</exception>
    public DemoFaultOptions ApplyTo(DemoFaultOptions baseline)
    {
        ThrowIfInvalid();
        return new DemoFaultOptions
        {
            Latency = LatencyMs is { } latency ? TimeSpan.FromMilliseconds(latency) : baseline.Latency,
            ErrorRate = ErrorRate ?? baseline.ErrorRate,
            ErrorCode = ErrorCode is not null ? ParseStatusCode(ErrorCode)!.Value : baseline.ErrorCode,
            Hang = Hang ?? baseline.Hang,
            Down = Down ?? baseline.Down,
            LoseWriteAnswers = LoseWriteAnswers ?? baseline.LoseWriteAnswers,
            RandomSeed = RandomSeed ?? baseline.RandomSeed,
        };
    }

    /// <summary>Parses a status code name in any case, with or without underscores; <c>null</c> for OK, numbers and unknown names.</summary>
    public static StatusCode? ParseStatusCode(string name)
    {
        var compact = name.Replace("_", "", StringComparison.Ordinal).Trim();
        // Letters only: Enum.TryParse would also take numbers and comma-separated combinations.
        return compact.Length > 0
            && compact.All(char.IsAsciiLetter)
            && Enum.TryParse<StatusCode>(compact, ignoreCase: true, out var code)
            && Enum.IsDefined(code)
            && code != StatusCode.OK
                ? code
                : null;
    }

    private void ThrowIfInvalid()
    {
        var problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid demo fault settings: " + string.Join(" ", problems));
        }
    }
}
