using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>An accepted inbound association: the channel and who initiated it (the address it advertises, its UID).</summary>
internal sealed record InboundOffer(IChannel Channel, EndpointIdentity Peer);
