using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>The peer process's side of one association: it writes the client ring and rings the doorbell when asked.</summary>
internal sealed unsafe class ShmPeer(ShmSegment segment, ShmChannel channel, NamedSemaphore doorbell)
{
    private readonly RingWriter _writer = new(segment.ClientToServerRing, segment.RingCapacity);

    public ShmSegment Segment { get; } = segment;
    public ShmChannel Channel { get; } = channel;
    public ChannelEvents Events { get; } = new();
    public int Written { get; private set; }

    /// <summary>
    /// An accepted shm channel (segment <paramref name="index"/> of peer port 2, unlinked as after an accept) with a
    /// listener, handed to <paramref name="receiver"/>; the returned peer writes its client ring.
    /// </summary>
    public static ShmPeer Connect(ChannelNames names, int index, ShmReceiver receiver, NamedSemaphore receiverDoorbell,
        NamedSemaphore peerDoorbell, PollLoop loop)
    {
        var segment = ShmSegment.Create(names.Segment(2, index), RingLayout.MinCapacity, 65536, clientPort: 2);
        Posix.Unlink(segment.Path); // as after an accept: the mappings hold it
        var channel = new ShmChannel(segment, isClient: false, peerPort: 2, NamedSemaphore.TryOpen(peerDoorbell.Name, out _)!,
            receiverDoorbell, loop, wireFrameLimit: 65536, sendQueueLimit: 1 << 20, flushTimeout: TimeSpan.FromSeconds(1));
        var peer = new ShmPeer(segment, channel, receiverDoorbell);
        channel.SetListener(peer.Events);
        receiver.Add(channel);
        return peer;
    }

    /// <summary>Frames first..first+count-1, each 16 B carrying its number; waits (yielding) while the ring is full.</summary>
    public void WriteNumbered(int first, int count)
    {
        var frame = new byte[16];
        for (int n = first; n < first + count; n++)
        {
            BitConverter.TryWriteBytes(frame, n);
            int written = 0;
            while (!_writer.TryWrite(frame, ref written))
                Thread.Yield();
            if (_writer.TakeConsumerWakeRequest())
                doorbell.Post();
        }
        Written = first + count;
    }

    public void AssertReceivedInOrder(int count, TimeSpan timeout)
    {
        Assert.True(SpinWait.SpinUntil(() => { lock (Events.Frames) return Events.Frames.Count >= count; }, timeout),
            $"{Events.Frames.Count} of {count} frames delivered");
        lock (Events.Frames)
        {
            Assert.Equal(count, Events.Frames.Count);
            for (int n = 0; n < count; n++)
                Assert.Equal(n, BitConverter.ToInt32(Events.Frames[n]));
        }
    }
}
