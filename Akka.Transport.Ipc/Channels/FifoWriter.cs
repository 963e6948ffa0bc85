using System.Buffers;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The outbound side of a <see cref="FifoChannel"/>: writes length-prefixed frames to a non-blocking FIFO
/// (header and payload in one <c>writev</c>), queues what does not fit and writes the queue out when the pipe
/// has room again. Not thread-safe: its channel serialises every call (its write lock). The descriptor belongs
/// to the poll loop; every write holds a reference on it, so a close meanwhile never hands its number on mid-write.
/// </summary>
internal sealed unsafe class FifoWriter
{
    private const int FramesPerWrite = 32;

    private readonly FileDescriptor _fd;
    private readonly PendingFrames _pending = new();
    private readonly MemoryHandle[] _pins = new MemoryHandle[FramesPerWrite];

    public FifoWriter(FileDescriptor fd) => _fd = fd;

    /// <summary>Frames queued (the first possibly partly written).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Bytes queued.</summary>
    public long PendingBytes => _pending.Bytes;

    /// <summary>
    /// What the queue costs against send-queue-limit: payloads plus a length header each, so a queue of empty frames
    /// is bounded too.
    /// </summary>
    public long QueuedCost => _pending.Bytes + (long)_pending.Count * StreamFrameDecoder.HeaderLength;

    /// <summary>True once the close marker went out.</summary>
    public bool MarkerWritten { get; private set; }

    /// <summary>Queues <paramref name="frame"/>, of which <paramref name="written"/> bytes (header included) went out already.</summary>
    public void Enqueue(ReadOnlyMemory<byte> frame, int written) => _pending.Enqueue(frame, written);

    /// <summary>True once accepted frames were dropped unsent (the reader went away, or the flush timed out).</summary>
    public bool DroppedQueued { get; private set; }

    /// <summary>Drops the queue (the reader is gone or the channel closed).</summary>
    public void DropPending()
    {
        DroppedQueued |= _pending.Count > 0;
        _pending.Clear();
    }

    /// <summary>Writes header and payload in one call; returns bytes written (0 when full, -1 when the reader is gone).</summary>
    public int WriteDirect(ReadOnlySpan<byte> frame)
    {
        int header = frame.Length;
        fixed (byte* payload = frame)
        {
            var buffers = stackalloc LibC.IoVec[2];
            buffers[0] = new LibC.IoVec { Base = (byte*)&header, Length = StreamFrameDecoder.HeaderLength };
            buffers[1] = new LibC.IoVec { Base = payload, Length = (nuint)frame.Length };
            return WriteGathered(buffers, 2);
        }
    }

    /// <summary>Writes queued frames until the pipe is full or the queue empty; a gone reader drops the queue.</summary>
    public void Drain()
    {
        var buffers = stackalloc LibC.IoVec[2 * FramesPerWrite];
        var headers = stackalloc int[FramesPerWrite];
        var pins = _pins;
        while (_pending.Count > 0)
        {
            int count = 0;
            int frames = 0;
            try
            {
                foreach (var frame in _pending)
                {
                    if (frames == FramesPerWrite)
                        break;
                    headers[frames] = frame.Length;
                    pins[frames] = frame.Pin();
                    buffers[count++] = new LibC.IoVec { Base = (byte*)&headers[frames], Length = StreamFrameDecoder.HeaderLength };
                    buffers[count++] = new LibC.IoVec { Base = (byte*)pins[frames].Pointer, Length = (nuint)frame.Length };
                    frames++;
                }
                SkipWritten(buffers, _pending.HeadWritten);
                int written = WriteGathered(buffers, count);
                if (written < 0)
                {
                    DropPending();
                    return;
                }
                if (written == 0)
                    return;
                Advance(written);
            }
            finally
            {
                for (int i = 0; i < frames; i++)
                    pins[i].Dispose();
            }
        }
    }

    /// <summary>Skips the part of the first frame that an earlier partial write already sent.</summary>
    private static void SkipWritten(LibC.IoVec* buffers, int written)
    {
        int skipHeader = Math.Min(written, StreamFrameDecoder.HeaderLength);
        buffers[0].Base += skipHeader;
        buffers[0].Length -= (nuint)skipHeader;
        int skipPayload = written - skipHeader;
        buffers[1].Base += skipPayload;
        buffers[1].Length -= (nuint)skipPayload;
    }

    private void Advance(int written)
    {
        long remaining = written;
        while (remaining > 0 && _pending.TryPeek(out var head))
        {
            long left = StreamFrameDecoder.HeaderLength + head.Length - _pending.HeadWritten;
            if (remaining < left)
            {
                _pending.HeadWritten += (int)remaining;
                return;
            }
            remaining -= left;
            _pending.RemoveHead();
        }
    }

    /// <summary>
    /// writev with a reference on the descriptor, so a close on another thread meanwhile cannot hand its number to
    /// someone else before this write is over; a closed descriptor counts as a gone reader (-1).
    /// </summary>
    private int WriteGathered(LibC.IoVec* buffers, int count)
    {
        var fd = _fd;
        bool added = false;
        try
        {
            fd.DangerousAddRef(ref added);
            while (true)
            {
                nint written = LibC.WriteV(fd.Fd, buffers, count);
                if (written >= 0)
                    return (int)written;
                int errno = LibC.Errno;
                if (errno == Errno.EINTR)
                    continue;
                return errno == Errno.EAGAIN ? 0 : -1;
            }
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
        finally
        {
            if (added)
                fd.DangerousRelease();
        }
    }

    /// <summary>Writes the close marker; false only when the pipe is full (try again on POLLOUT).</summary>
    public bool TryWriteCloseMarker()
    {
        int marker = StreamFrameDecoder.CloseMarker;
        var buffer = new LibC.IoVec { Base = (byte*)&marker, Length = StreamFrameDecoder.HeaderLength };
        // Four bytes, below PIPE_BUF: written whole or not at all. A gone reader needs no marker.
        if (WriteGathered(&buffer, 1) == 0)
            return false;
        MarkerWritten = true;
        return true;
    }
}
