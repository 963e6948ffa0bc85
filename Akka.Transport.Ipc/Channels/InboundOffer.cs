namespace Akka.Transport.Ipc.Channels;

/// <summary>An accepted inbound association: the channel and who initiated it.</summary>
internal sealed record InboundOffer(ShmChannel Channel, string System, string Host, int Port);
