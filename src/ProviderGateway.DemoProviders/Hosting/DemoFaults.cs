using Grpc.Core;

namespace ProviderGateway.DemoProviders;

/// <summary>
/// The faults a running demo provider injects, changeable at any moment from any thread (tests set
/// them directly; standalone processes through <c>PUT /demo/faults</c>). They apply to the provider's
/// contract methods only: health and reflection keep answering, so health can report NOT_SERVING.
/// <see cref="LoseWriteAnswers"/> applies to the write methods only, after their effect.
/// </summary>
public sealed class DemoFaults
{
    private readonly Lock _randomGate = new();
    private Random _random;
    private long _latencyTicks;
    private double _errorRate;
    private int _errorCode;
    private volatile bool _hang;
    private volatile bool _down;
    private volatile bool _loseWriteAnswers;

    /// <summary>Creates the faults with the given initial values (none when <c>null</c>).</summary>
    public DemoFaults(DemoFaultOptions? initial = null)
    {
        initial ??= new DemoFaultOptions();
        _random = initial.RandomSeed is { } seed ? new Random(seed) : new Random();
        Latency = initial.Latency;
        ErrorRate = initial.ErrorRate;
        ErrorCode = initial.ErrorCode;
        Hang = initial.Hang;
        Down = initial.Down;
        LoseWriteAnswers = initial.LoseWriteAnswers;
    }

    /// <summary>Delay added before answering each call, honouring the call's deadline and cancellation.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set negative.</exception>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Volatile.Write(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Share of calls, 0 to 1, that fail with <see cref="ErrorCode"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set outside 0 to 1.</exception>
    public double ErrorRate
    {
        get => Volatile.Read(ref _errorRate);
        set
        {
            if (!(value is >= 0 and <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The error rate is a share of calls from 0 to 1.");
            }

            Volatile.Write(ref _errorRate, value);
        }
    }

    /// <summary>The status code of the random failures; any code but OK.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When set to OK or an undefined code.</exception>
    public StatusCode ErrorCode
    {
        get => (StatusCode)Volatile.Read(ref _errorCode);
        set
        {
            if (value == StatusCode.OK || !Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The error code is a gRPC status code other than OK.");
            }

            Volatile.Write(ref _errorCode, (int)value);
        }
    }

    /// <summary>Accept every call and never answer until the caller cancels or its deadline passes.</summary>
    public bool Hang
    {
        get => _hang;
        set
        {
            _hang = value;
        }
    }

    /// <summary>Answer every call UNAVAILABLE with ErrorInfo reason "PROVIDER_DOWN"; health reports NOT_SERVING.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
        }
    }

    /// <summary>
    /// Lose the answer of every write that succeeded: the write is applied (or, for a retried request_id,
    /// replayed) and then answered UNAVAILABLE with ErrorInfo reason "WRITE_ANSWER_LOST" instead of its result,
    /// as when a connection drops after the provider committed. A retry with the same request_id, once this is
    /// off, is answered with the first result and not applied again. Reads and refused writes are unaffected.
    /// </summary>
    public bool LoseWriteAnswers
    {
        get => _loseWriteAnswers;
        set
        {
            _loseWriteAnswers = value;
        }
    }

    /// <summary>Turns every fault off.</summary>
    public void Clear()
    {
        Latency = TimeSpan.Zero;
        ErrorRate = 0;
        ErrorCode = StatusCode.Unavailable;
        Hang = false;
        Down = false;
        LoseWriteAnswers = false;
    }

    /// <summary>Restarts the random failures from <paramref name="seed"/>, for a repeatable sequence.</summary>
    public void Reseed(int seed)
    {
        lock (_randomGate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>Draws whether the next call fails, by <see cref="ErrorRate"/>.</summary>
    internal bool NextCallFails()
    {
        var rate = ErrorRate;
        if (rate <= 0)
        {
            return false;
        }

        lock (_randomGate)
        {
            return _random.NextDouble() < rate;
        }
    }
}
