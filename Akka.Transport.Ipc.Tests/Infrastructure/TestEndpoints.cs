using Akka.Actor;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>Starts bare endpoints (no ActorSystem) the way the transport does in akka.ipc mode.</summary>
internal static class TestEndpoints
{
    /// <summary>An endpoint of system <paramref name="system"/> advertising <c>ipc://system@hostname:port</c>.</summary>
    public static Rendezvous Listen(IpcSettings settings, string system, Action<InboundOffer>? onInbound = null) =>
        Rendezvous.Listen(settings, settings.Port,
            port => new EndpointIdentity(AddressOf(system, port, settings.Hostname), Random.Shared.Next()),
            new EndpointEvents(onInbound ?? (_ => { }), _ => { }, _ => { }, _ => { }));

    /// <summary>The transport-level address of an akka.ipc endpoint.</summary>
    public static Address AddressOf(string system, int port, string host = "localhost") =>
        new(IpcTransport.Scheme, system, host, port);
}
