using System.Net;
using System.Net.Sockets;

namespace ProviderGateway.TestSupport.Processes;

/// <summary>Ports on 127.0.0.1 for processes that must come back where they were after a restart.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free right now (the system's choice for port 0, released at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
