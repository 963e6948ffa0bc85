using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Watches a peer's life FIFO: the kernel closes a dead process's descriptors, and the last writer closing
/// gives the reader POLLHUP, so death is seen within one poll wake-up, whether the peer exited or was killed.
/// Registered with no events (hang-up and errors are always reported): the FIFO is never read, so watching
/// POLLIN would make one stray byte written into it wake the poll thread forever.
/// </summary>
internal sealed class PeerLifeHandler : IPollHandler
{
    private readonly ShmChannel _channel;
    private readonly int _peerPort;

    public PeerLifeHandler(ShmChannel channel, int peerPort)
    {
        _channel = channel;
        _peerPort = peerPort;
    }

    public bool OnReady(PollRegistration registration, short events)
    {
        if ((events & (LibC.POLLHUP | LibC.POLLERR | LibC.POLLNVAL)) == 0)
            return true; // not watched for input; nothing else means anything here
        _channel.MarkPeerDead($"endpoint {_peerPort} went away (its process exited or its transport shut down)");
        return false;
    }
}
