using System.Buffers.Binary;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>A FIFO channel over real FIFOs, with the test playing the peer at the byte level.</summary>
public sealed class FifoChannelTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly IpcTestDirectory _directory = new();
    private readonly PollLoop _loop = new("ipc-poll-test", e => throw e);
    private readonly RecordingListener _listener = new();
    private readonly FileDescriptor _peerWrite;
    private readonly FileDescriptor _peerRead;
    private readonly FifoChannel _channel;

    public FifoChannelTests()
    {
        var pipes = new FifoPair(_directory.Path);
        var (read, write) = (pipes.Read, pipes.Write);
        (_peerWrite, _peerRead) = (pipes.PeerWrite, pipes.PeerRead);
        _channel = FifoChannel.Accept(_loop, read, write, wireFrameLimit: 4096, sendQueueLimit: 1 << 20,
            flushTimeout: TimeSpan.FromSeconds(1), pipeSize: 0);
        _channel.SetListener(_listener);
    }

    [Theory]
    [InlineData(-7)]
    [InlineData(1 << 30)]
    [InlineData(4097)]
    public async Task A_malformed_length_ends_the_association_with_a_clear_reason(int length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 3);
        bytes[4] = 1; bytes[5] = 2; bytes[6] = 3; // one good frame first
        PeerWrite(bytes.AsSpan(0, 7));
        BinaryPrimitives.WriteInt32LittleEndian(bytes, length);
        PeerWrite(bytes.AsSpan(0, 4));

        Assert.True(await _channel.Completion.CompletesWithin(Timeout));
        Assert.Equal(new byte[] { 1, 2, 3 }, Assert.Single(_listener.Frames));
        Assert.Contains("malformed frame", _listener.ClosedReason);
        Assert.True(_listener.Abnormal);
    }

    [Fact]
    public async Task The_peer_closing_its_write_end_mid_frame_ends_the_association()
    {
        PeerWrite(new byte[] { 10, 0, 0, 0, 1, 2 }); // a 10-byte frame, cut short
        _peerWrite.Dispose();
        Assert.True(await _channel.Completion.CompletesWithin(Timeout));
        Assert.Empty(_listener.Frames);
        Assert.Contains("middle of a frame", _listener.ClosedReason);
    }

    [Fact]
    public unsafe void Writes_go_out_length_prefixed_and_in_order()
    {
        for (int i = 0; i < 100; i++)
            Assert.True(_channel.TryWrite(new byte[] { (byte)i, (byte)(i + 1) }));
        var received = new byte[600];
        int total = 0;
        var deadline = DateTime.UtcNow + Timeout;
        while (total < 600 && DateTime.UtcNow < deadline)
        {
            fixed (byte* p = received)
            {
                nint n = LibC.Read(_peerRead.Fd, p + total, received.Length - total);
                if (n > 0) total += (int)n; else Thread.Sleep(1);
            }
        }
        Assert.Equal(600, total);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(received.AsSpan(i * 6)));
            Assert.Equal((byte)i, received[i * 6 + 4]);
        }
    }

    private unsafe void PeerWrite(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* p = bytes)
            Assert.Equal(bytes.Length, (int)LibC.Write(_peerWrite.Fd, p, bytes.Length));
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

    private sealed class RecordingListener : IChannelListener
    {
        public List<byte[]> Frames { get; } = new();
        public string? ClosedReason { get; private set; }
        public bool Abnormal { get; private set; }

        public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned) => Frames.Add(owned ?? frame.ToArray());

        public void OnClosed(string reason, bool abnormal)
        {
            ClosedReason = reason;
            Abnormal = abnormal;
        }
    }
}
