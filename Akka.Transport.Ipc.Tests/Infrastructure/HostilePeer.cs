using System.Buffers.Binary;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// An endpoint that speaks the shared-memory protocol by hand, with the library's own primitives, so a test can
/// offer a real segment to a real transport and then do to it what a buggy or hostile peer would.
/// It owns a port like any endpoint (lock, life FIFO, doorbell), so the listener accepts it.
/// </summary>
internal sealed class HostilePeer : IDisposable
{
    private readonly ChannelNames _names;
    private readonly EndpointLock _lock;
    private readonly FileDescriptor _life;
    private readonly NamedSemaphore _doorbell;
    private long _nextId;

    public HostilePeer(string directory)
    {
        _names = new ChannelNames(directory);
        _lock = EndpointDirectory.Claim(_names, 0);
        Port = ChannelNames.PortOf(Path.GetFileName(_lock.Path))!.Value;
        Posix.MakeFifo(_names.Life(Port));
        _life = Posix.Open(_names.Life(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
        _doorbell = NamedSemaphore.Create(_names.Doorbell(Port));
    }

    public int Port { get; }

    /// <summary>Offers a segment to the listener on <paramref name="serverPort"/> and waits until it is accepted.</summary>
    public unsafe ShmSegment Offer(int serverPort, int ringSize, int wireFrameLimit, TimeSpan timeout, Action<string>? beforeRequest = null)
    {
        long id = ++_nextId;
        var segment = ShmSegment.Create(_names.Segment(Port, id), ringSize, wireFrameLimit, Port);
        beforeRequest?.Invoke(segment.Path);
        var request = new ConnectRequest(Port, id, LibC.GetPid(), ChannelMode.Shm, "Hostile", "localhost", _names.ShmDirectory,
            ringSize, wireFrameLimit);
        var buffer = new byte[ConnectRequest.Length];
        request.WriteTo(buffer);
        using (var accept = Posix.Open(_names.Accept(serverPort), LibC.O_WRONLY | LibC.O_NONBLOCK))
        fixed (byte* p = buffer)
            if (LibC.Write(accept.Fd, p, buffer.Length) != buffer.Length)
                throw new IOException("connect request not written");
        var deadline = DateTime.UtcNow + timeout;
        while (segment.ReadVolatile(SegmentLayout.StateOffset) != SegmentLayout.Accepted)
        {
            if (DateTime.UtcNow > deadline)
            {
                segment.Dispose();
                Posix.Unlink(segment.Path);
                throw new TimeoutException("the listener did not accept the hostile segment");
            }
            Thread.Sleep(1);
        }
        return segment;
    }

    /// <summary>Wakes the listener's receiver thread (its doorbell), as a producer does after publishing.</summary>
    public void Ring(int serverPort)
    {
        using var doorbell = NamedSemaphore.TryOpen(_names.Doorbell(serverPort), out _);
        doorbell?.Post();
    }

    public void Dispose()
    {
        Posix.Unlink(_names.Life(Port));
        _life.Dispose();
        _doorbell.Dispose();
        _lock.Dispose();
    }
}
