namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// What a listening endpoint reports upward. <see cref="Inbound"/> and <see cref="Warning"/> are called on the
/// endpoint's poll thread and must not block; <see cref="Error"/> on whichever transport thread failed;
/// <see cref="PeerDead"/> on a thread-pool thread, once per peer incarnation (see <see cref="PeerDeaths"/>);
/// <see cref="FellBackToFifo"/> on the connecting thread, for each association that runs over FIFOs because its
/// segment could not be created.
/// </summary>
internal sealed record EndpointEvents(
    Action<InboundOffer> Inbound,
    Action<string> Warning,
    Action<Exception> Error,
    Action<EndpointIdentity> PeerDead,
    Action? FellBackToFifo = null);
