using Akka.Actor;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// An endpoint listens at the requested port, but advertises another address (system name, hostname, or a
/// network address) than the one asked for: Akka.Remote would drop every message of such an association as "for
/// non-local recipient". Retrying will not help.
/// </summary>
internal sealed class EndpointMismatchException : Exception
{
    public EndpointMismatchException(int port, string directory, Address advertised)
        : base($"the IPC endpoint on port {port} in '{directory}' is {advertised}")
    {
        Advertised = advertised;
    }

    /// <summary>The address (transport level: no <c>akka.</c> prefix) the endpoint listening there advertises.</summary>
    public Address Advertised { get; }
}
