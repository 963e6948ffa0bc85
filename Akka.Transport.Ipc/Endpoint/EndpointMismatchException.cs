
namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// An endpoint listens at the requested port, but under another system name or hostname than the address asked
/// for: Akka.Remote would drop every message of such an association as "for non-local recipient". Retrying will
/// not help.
/// </summary>
internal sealed class EndpointMismatchException : Exception
{
    public EndpointMismatchException(int port, string directory, string system, string host)
        : base($"the IPC endpoint on port {port} in '{directory}' is system '{system}' with hostname '{host}'")
    {
        System = system;
        Host = host;
    }

    /// <summary>The system name of the endpoint that listens there.</summary>
    public string System { get; }

    /// <summary>The hostname (address label) of the endpoint that listens there.</summary>
    public string Host { get; }
}
