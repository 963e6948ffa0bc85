using System.Runtime.CompilerServices;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// An endpoint (lock, life FIFO, doorbell) that offers a segment made with ftruncate only, as a buggy or
/// hostile peer could: every page but the header is a hole.
/// </summary>
internal sealed class SparsePeer : IDisposable
{
    private readonly ChannelNames _names;
    private readonly EndpointLock _lock;
    private readonly FileDescriptor _life;
    private readonly NamedSemaphore _doorbell;
    private MappedMemory? _header;
    private string? _segment;
    private int _ringSize;
    private int _wireFrameLimit;

    public SparsePeer(string directory, string shmDirectory)
    {
        _names = new ChannelNames(directory, shmDirectory);
        _lock = EndpointDirectory.Claim(_names, 0);
        Port = ChannelNames.PortOf(Path.GetFileName(_lock.Path))!.Value;
        Posix.MakeFifo(_names.Life(Port));
        _life = Posix.Open(_names.Life(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
        _doorbell = NamedSemaphore.Create(_names.Doorbell(Port));
    }

    public int Port { get; }

    public unsafe string Refusal
    {
        get
        {
            byte* b = _header!.Pointer + SegmentLayout.RefusalOffset;
            return System.Text.Encoding.UTF8.GetString(b + 1, Math.Min((int)b[0], SegmentLayout.ReasonField - 1));
        }
    }

    /// <summary>ftruncate, then a mapping of the header page only, which is written (and so backed).</summary>
    public unsafe string CreateSparseSegment(int ringSize, int wireFrameLimit)
    {
        _segment = _names.Segment(Port, 1);
        (_ringSize, _wireFrameLimit) = (ringSize, wireFrameLimit);
        using var fd = Posix.Open(_segment, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL);
        Assert.Equal(0, LibC.FTruncate(fd.Fd, SegmentLayout.TotalLength(ringSize)));
        _header = MappedMemory.Map(fd, SegmentLayout.HeaderLength, _segment);
        byte* b = _header.Pointer;
        *(int*)(b + SegmentLayout.VersionOffset) = SegmentLayout.Version;
        *(int*)(b + SegmentLayout.RingCapacityOffset) = ringSize;
        *(int*)(b + SegmentLayout.MaxFrameOffset) = wireFrameLimit;
        *(int*)(b + SegmentLayout.ClientPortOffset) = Port;
        *(int*)(b + SegmentLayout.ClientPidOffset) = LibC.GetPid();
        Volatile.Write(ref Unsafe.AsRef<long>(b + SegmentLayout.MagicOffset), SegmentLayout.Magic);
        return _segment;
    }

    public unsafe void Offer(int serverPort)
    {
        var request = new ConnectRequest(Port, 1, LibC.GetPid(), ChannelMode.Shm, "Sparse", "localhost", _names.ShmDirectory,
            _ringSize, _wireFrameLimit);
        var buffer = new byte[ConnectRequest.Length];
        request.WriteTo(buffer);
        using var accept = Posix.Open(_names.Accept(serverPort), LibC.O_WRONLY | LibC.O_NONBLOCK);
        fixed (byte* p = buffer)
            Assert.Equal(buffer.Length, (int)LibC.Write(accept.Fd, p, buffer.Length));
    }

    /// <summary>Waits until the listener answers (state leaves Offered); returns the state.</summary>
    public async Task<int> WaitForAnswerAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            int state = State;
            if (state != SegmentLayout.Offered)
                return state;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the listener did not answer the sparse segment within {timeout}");
            await Task.Delay(10);
        }
    }

    private unsafe int State => Volatile.Read(ref *(int*)(_header!.Pointer + SegmentLayout.StateOffset));

    public void RemoveSegment()
    {
        _header?.Dispose();
        _header = null;
        if (_segment != null)
            Posix.Unlink(_segment);
    }

    public void Dispose()
    {
        RemoveSegment();
        Posix.Unlink(_names.Life(Port));
        _life.Dispose();
        _doorbell.Dispose();
        _lock.Dispose();
    }
}
