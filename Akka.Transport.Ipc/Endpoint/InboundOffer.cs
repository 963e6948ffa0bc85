using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>An accepted inbound association: the channel and who initiated it.</summary>
internal sealed record InboundOffer(IChannel Channel, string System, string Host, int Port);
