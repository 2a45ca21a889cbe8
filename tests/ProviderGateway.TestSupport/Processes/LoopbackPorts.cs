using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ProviderGateway.TestSupport.Processes;

/// <summary>Ports on 127.0.0.1 for processes that must come back where they were after a restart.</summary>
public static class LoopbackPorts
{
    // Below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default): the system's own
    // choice for port 0 is also the source port of every outgoing connection, so a port picked there, released and
    // bound again a moment later by a child process can meanwhile have become some test's client connection
    // ("address already in use"). Ports below the range are only ever taken by someone binding them explicitly.
    private const int Lowest = 10_000;
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>A port free right now, below the ephemeral range, not handed out before by this process.</summary>
    public static int Free()
    {
        var highest = EphemeralRangeStart() - 1;
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, highest + 1);
            if (!HandedOut.TryAdd(port, true))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by another process: try another.
            }
        }

        throw new InvalidOperationException($"No free port on 127.0.0.1 between {Lowest} and {highest} after 200 attempts.");
    }

    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.TryParse(range[0], out var start) && start > Lowest + 1_000 ? start : 32_768;
        }
        catch (IOException)
        {
            return 32_768;
        }
        catch (UnauthorizedAccessException)
        {
            return 32_768;
        }
    }
}
