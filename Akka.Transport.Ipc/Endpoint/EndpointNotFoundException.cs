
namespace Akka.Transport.Ipc.Endpoint;

/// <summary>No live endpoint listens at the requested port: retrying will not help.</summary>
internal sealed class EndpointNotFoundException : Exception
{
    public EndpointNotFoundException(string message) : base(message) { }
}
