using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Two real FIFOs opened at both ends, names already removed: the channel's read and write ends, and the ends a test
/// uses to play the peer at the byte level (<see cref="PeerWrite"/> feeds the channel, <see cref="PeerRead"/> sees what
/// it wrote). The channel's ends are handed over (its poll loop closes them); the peer's ends are the caller's.
/// </summary>
public sealed class FifoPair
{
    internal FifoPair(string directory)
    {
        string inbound = Path.Combine(directory, "in"), outbound = Path.Combine(directory, "out");
        Posix.MakeFifo(inbound);
        Posix.MakeFifo(outbound);
        Read = Posix.Open(inbound, LibC.O_RDONLY | LibC.O_NONBLOCK);
        PeerWrite = Posix.Open(inbound, LibC.O_WRONLY | LibC.O_NONBLOCK);
        PeerRead = Posix.Open(outbound, LibC.O_RDONLY | LibC.O_NONBLOCK);
        Write = Posix.Open(outbound, LibC.O_WRONLY | LibC.O_NONBLOCK);
        File.Delete(inbound);
        File.Delete(outbound);
    }

    internal FileDescriptor Read { get; }

    internal FileDescriptor Write { get; }

    internal FileDescriptor PeerWrite { get; }

    internal FileDescriptor PeerRead { get; }
}
