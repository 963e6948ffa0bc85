namespace Akka.Transport.Ipc.Channels;

/// <summary>An accepted inbound association: the channel and who initiated it.</summary>
internal sealed record InboundOffer(IChannel Channel, string System, string Host, int Port);
