using Akka.Actor;

namespace Akka.Transport.Ipc;

/// <summary>
/// Published on the <see cref="ActorSystem.EventStream"/> when a co-located peer this transport was associated with
/// is gone for certain: the endpoint lock of the incarnation it associated with was released, so its process exited
/// or was killed (or its transport shut down). Unlike a silent network peer, this is not a suspicion: a frozen
/// (SIGSTOP) or slow process still holds its lock and never produces this event. Published at most once per peer
/// incarnation, and never while this transport itself is shutting down.
/// </summary>
public sealed class PeerEndpointTerminated
{
    public PeerEndpointTerminated(Address address, int uid)
    {
        Address = address;
        Uid = uid;
    }

    /// <summary>
    /// The address Akka knows the peer by, with its <c>akka.</c> prefix: <c>akka.ipc://Sys@host:port</c>, or with
    /// <c>network-transport</c> set, the peer's network address (<c>akka.tcp://Sys@10.1.2.3:4053</c>).
    /// </summary>
    public Address Address { get; }

    /// <summary>
    /// The peer ActorSystem's address UID (<c>AddressUidExtension.Uid</c>, the one Akka's handshake carries): it names
    /// the incarnation that died, so a node restarted on the same address is a different peer.
    /// </summary>
    public int Uid { get; }

    /// <inheritdoc />
    public override string ToString() => $"PeerEndpointTerminated({Address}, uid {Uid})";
}
