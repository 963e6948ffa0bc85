using System.Buffers.Binary;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// A FIFO channel's life at its edges: the poll loop stopping under it, a close before Akka registers its
/// listener, an orderly close when the pipe is full. Real FIFOs; the test plays the peer at the byte level.
/// </summary>
public sealed class FifoChannelLifetimeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly IpcTestDirectory _directory = new();
    private readonly PollLoop _loop = new("ipc-poll-life", _ => { });
    private readonly ChannelEvents _listener = new();
    private readonly FileDescriptor _peerWrite;
    private readonly FileDescriptor _peerRead;
    private readonly FifoChannel _channel;

    public FifoChannelLifetimeTests()
    {
        var pipes = new FifoPair(_directory.Path);
        var (read, write) = (pipes.Read, pipes.Write);
        (_peerWrite, _peerRead) = (pipes.PeerWrite, pipes.PeerRead);
        _channel = FifoChannel.Accept(_loop, read, write, wireFrameLimit: 8192, sendQueueLimit: 1 << 20,
            flushTimeout: TimeSpan.FromSeconds(5), pipeSize: 0);
    }

    [Fact]
    public async Task A_write_after_the_poll_loop_stopped_is_refused_and_reaches_no_reused_descriptor()
    {
        _channel.SetListener(_listener);
        _loop.Dispose(); // the transport shut down under a live channel
        using var pipes = new PipeSet(); // takes the numbers the loop closed
        Assert.False(_channel.TryWrite(new byte[] { 1, 2, 3 }));
        Assert.Equal(0, pipes.DrainAll());
        Assert.True(await _channel.Completion.CompletesWithin(Timeout), "the channel never completed after its poll loop stopped");
        Assert.Equal("the transport shut down", _listener.ClosedReason);
    }

    [Fact]
    public async Task A_close_before_the_listener_registers_is_reported_when_it_does()
    {
        _loop.Dispose(); // closes the channel while Akka has not registered its read handler yet
        Assert.True(await _channel.Completion.CompletesWithin(Timeout));
        _channel.SetListener(_listener);
        Assert.Equal("the transport shut down", _listener.ClosedReason);
        Assert.True(_listener.Abnormal);
        Assert.Equal(1, _listener.CloseCount);
    }

    [Fact]
    public async Task An_orderly_close_with_the_pipe_full_still_sends_the_close_marker()
    {
        _channel.SetListener(_listener);
        // 16 frames of 4 + 4092 bytes fill the default 64 KiB pipe to the last byte: the marker does not fit yet.
        var frame = new byte[4092];
        for (int i = 0; i < 16; i++)
        {
            frame[0] = (byte)i;
            Assert.True(_channel.TryWrite(frame.ToArray()));
        }
        _channel.RequestClose();
        Thread.Sleep(100); // let the close run while the pipe is still full

        var received = ReadUntilEof(_peerRead).ToArray();
        Assert.True(await _channel.Completion.CompletesWithin(Timeout));
        Assert.Equal(16 * 4096 + 4, received.Length);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(4092, BinaryPrimitives.ReadInt32LittleEndian(received.AsSpan(i * 4096)));
            Assert.Equal((byte)i, received[i * 4096 + 4]);
        }
        Assert.Equal(StreamFrameDecoder.CloseMarker, BinaryPrimitives.ReadInt32LittleEndian(received.AsSpan(16 * 4096)));
        Assert.Null(_listener.ClosedReason); // this side asked: nobody is told
    }

    private static unsafe List<byte> ReadUntilEof(FileDescriptor fd)
    {
        var all = new List<byte>();
        var buffer = new byte[8192];
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            nint n;
            fixed (byte* p = buffer)
                n = LibC.Read(fd.Fd, p, buffer.Length);
            if (n == 0)
                return all;
            if (n > 0)
                all.AddRange(buffer.AsSpan(0, (int)n).ToArray());
            else
                Thread.Sleep(1);
        }
        throw new TimeoutException("the channel's write end was never closed");
    }

    public void Dispose()
    {
        _channel.RequestClose();
        _channel.Completion.Wait(Timeout);
        _loop.Dispose();
        _peerWrite.Dispose();
        _peerRead.Dispose();
        _directory.AssertEmpty();
        _directory.Dispose();
    }
}
