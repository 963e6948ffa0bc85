using System.Buffers.Binary;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The outbound side of a <see cref="FifoChannel"/>: writes length-prefixed frames to a non-blocking FIFO.
/// A frame is written at once (header and payload in one <c>writev</c>), or, in a burst, appended to a staging
/// buffer that goes out in one <c>write</c> for many frames. Frames that do not fit the staging buffer (large ones,
/// or any while the pipe is full and the buffer is taken) wait by reference in a queue behind it; the rest of a
/// partly written frame always goes first. Not thread-safe: its channel serialises every call (its write lock).
/// The descriptor belongs to the poll loop; every write holds a reference on it, so a close meanwhile never hands
/// its number on mid-write. Nothing here allocates per frame once the staging buffer exists.
/// </summary>
internal sealed unsafe class FifoWriter
{
    /// <summary>Bytes a burst gathers before one write; also the most one write of staged frames passes.</summary>
    public const int StagingCapacity = 64 * 1024;

    /// <summary>Frames up to this size are copied into the staging buffer; larger ones are written from their own memory.</summary>
    public const int MaxStagedFrame = 8 * 1024;

    /// <summary>
    /// In a burst, the writing thread writes the staging buffer itself once this many bytes wait (no thread hop for a
    /// stream); what a burst leaves below it, the poll thread writes.
    /// </summary>
    public const int FlushThreshold = 16 * 1024;

    private readonly FileDescriptor _fd;
    private readonly PendingFrames _queued = new(); // after the staged bytes, in order
    private byte[]? _staging;
    private int _stagedStart; // [start, end) staged and not yet written
    private int _stagedEnd;

    public FifoWriter(FileDescriptor fd) => _fd = fd;

    /// <summary>True while anything accepted is not written yet (staged or queued).</summary>
    public bool HasPending => _stagedEnd > _stagedStart || _queued.Count > 0;

    /// <summary>
    /// True after a write found the pipe full, until <see cref="OnWritable"/>: writing more before POLLOUT would only
    /// fail again, so nothing tries.
    /// </summary>
    public bool PipeFull { get; private set; }

    /// <summary>Bytes accepted and not written yet: staged bytes (headers included) plus queued payloads.</summary>
    public long PendingBytes => _stagedEnd - _stagedStart + _queued.Bytes;

    /// <summary>
    /// What the backlog costs against send-queue-limit: payloads plus a length header each, so a queue of empty
    /// frames is bounded too (staged bytes carry their headers already).
    /// </summary>
    public long QueuedCost => _stagedEnd - _stagedStart + _queued.Bytes + (long)_queued.Count * StreamFrameDecoder.HeaderLength;

    /// <summary>True once the close marker went out.</summary>
    public bool MarkerWritten { get; private set; }

    /// <summary>True once accepted frames were dropped unsent (the reader went away, or the flush timed out).</summary>
    public bool DroppedQueued { get; private set; }

    /// <summary>Drops the backlog (the reader is gone or the channel closed).</summary>
    public void DropPending()
    {
        DroppedQueued |= HasPending;
        _stagedStart = _stagedEnd = 0;
        _queued.Clear();
    }

    /// <summary>
    /// Writes header and payload in one call, with nothing pending before it. What the pipe did not take is kept
    /// (copied when small, else by reference) and goes first next time.
    /// </summary>
    /// <returns>False when the reader is gone.</returns>
    public bool WriteDirect(ReadOnlyMemory<byte> frame)
    {
        int header = frame.Length;
        int written;
        fixed (byte* payload = frame.Span)
        {
            var buffers = stackalloc LibC.IoVec[2];
            buffers[0] = new LibC.IoVec { Base = (byte*)&header, Length = StreamFrameDecoder.HeaderLength };
            buffers[1] = new LibC.IoVec { Base = payload, Length = (nuint)frame.Length };
            written = WriteGathered(buffers, 2);
        }
        if (written < 0)
            return false;
        if (written < StreamFrameDecoder.HeaderLength + frame.Length)
        {
            PipeFull = true;
            KeepRest(frame, written);
        }
        return true;
    }

    /// <summary>
    /// Appends a frame of a burst after everything pending; writes the staging buffer once it holds
    /// <see cref="FlushThreshold"/> bytes (unless the pipe is full). The caller arranges for the poll thread to write
    /// what is left (<see cref="HasPending"/>).
    /// </summary>
    /// <returns>False when the reader is gone (the backlog is dropped).</returns>
    public bool Append(ReadOnlyMemory<byte> frame)
    {
        if (_queued.Count > 0 || frame.Length > MaxStagedFrame || !TryStage(frame.Span, skip: 0))
            _queued.Enqueue(frame, 0);
        return PipeFull || QueuedCost < FlushThreshold || Drain();
    }

    /// <summary>The poll thread saw POLLOUT: writes the backlog until the pipe is full again or nothing is left.</summary>
    /// <returns>False when the reader is gone (the backlog is dropped).</returns>
    public bool OnWritable()
    {
        PipeFull = false;
        return Drain();
    }

    /// <summary>Writes staged bytes, then queued frames (small ones through the staging buffer), in order.</summary>
    private bool Drain()
    {
        while (true)
        {
            if (_stagedEnd > _stagedStart)
            {
                int written;
                fixed (byte* staged = _staging)
                {
                    var buffer = new LibC.IoVec { Base = staged + _stagedStart, Length = (nuint)(_stagedEnd - _stagedStart) };
                    written = WriteGathered(&buffer, 1);
                }
                if (written < 0)
                    return Gone();
                _stagedStart += written;
                if (_stagedStart < _stagedEnd)
                {
                    PipeFull = true;
                    return true;
                }
                _stagedStart = _stagedEnd = 0;
            }
            if (_queued.Count == 0)
                return true;
            // Small queued frames move into the staging buffer, to go out together; a large head goes out alone.
            while (_queued.TryPeek(out var head) && head.Length <= MaxStagedFrame && TryStage(head.Span, _queued.HeadWritten))
                _queued.RemoveHead();
            if (_stagedEnd == 0)
            {
                int head = WriteQueuedHead();
                if (head <= 0)
                    return head == 0;
            }
        }
    }

    /// <summary>Writes the (large or partly written) first queued frame from its own memory.</summary>
    /// <returns>1 when it went out whole, 0 when the pipe filled first, -1 when the reader is gone (backlog dropped).</returns>
    private int WriteQueuedHead()
    {
        _queued.TryPeek(out var frame);
        int header = frame.Length;
        int done = _queued.HeadWritten;
        int written;
        fixed (byte* payload = frame.Span)
        {
            var buffers = stackalloc LibC.IoVec[2];
            int skipHeader = Math.Min(done, StreamFrameDecoder.HeaderLength);
            buffers[0] = new LibC.IoVec { Base = (byte*)&header + skipHeader, Length = (nuint)(StreamFrameDecoder.HeaderLength - skipHeader) };
            buffers[1] = new LibC.IoVec { Base = payload + (done - skipHeader), Length = (nuint)(frame.Length - (done - skipHeader)) };
            written = WriteGathered(buffers, 2);
        }
        if (written < 0)
        {
            Gone();
            return -1;
        }
        if (done + written < StreamFrameDecoder.HeaderLength + frame.Length)
        {
            _queued.HeadWritten = done + written;
            PipeFull = true;
            return 0;
        }
        _queued.RemoveHead();
        return 1;
    }

    private bool Gone()
    {
        DropPending();
        return false;
    }

    /// <summary>Keeps what a direct write left of <paramref name="frame"/> (nothing was pending before it).</summary>
    private void KeepRest(ReadOnlyMemory<byte> frame, int written)
    {
        if (frame.Length > MaxStagedFrame || !TryStage(frame.Span, written))
            _queued.Enqueue(frame, written);
    }

    /// <summary>
    /// Copies header and payload of a frame, less its first <paramref name="skip"/> bytes, after the staged bytes;
    /// false when they do not fit. Staged bytes are moved to the front first when that makes room.
    /// </summary>
    private bool TryStage(ReadOnlySpan<byte> frame, int skip)
    {
        int length = StreamFrameDecoder.HeaderLength + frame.Length - skip;
        _staging ??= new byte[StagingCapacity];
        if (_stagedEnd + length > StagingCapacity)
        {
            if (_stagedStart == 0 || _stagedEnd - _stagedStart + length > StagingCapacity)
                return false;
            Buffer.BlockCopy(_staging, _stagedStart, _staging, 0, _stagedEnd - _stagedStart);
            _stagedEnd -= _stagedStart;
            _stagedStart = 0;
        }
        var target = _staging.AsSpan(_stagedEnd, length);
        if (skip == 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(target, frame.Length);
            frame.CopyTo(target.Slice(StreamFrameDecoder.HeaderLength));
        }
        else if (skip < StreamFrameDecoder.HeaderLength)
        {
            Span<byte> header = stackalloc byte[StreamFrameDecoder.HeaderLength];
            BinaryPrimitives.WriteInt32LittleEndian(header, frame.Length);
            header.Slice(skip).CopyTo(target);
            frame.CopyTo(target.Slice(StreamFrameDecoder.HeaderLength - skip));
        }
        else
        {
            frame.Slice(skip - StreamFrameDecoder.HeaderLength).CopyTo(target);
        }
        _stagedEnd += length;
        return true;
    }

    /// <summary>
    /// writev with a reference on the descriptor, so a close on another thread meanwhile cannot hand its number to
    /// someone else before this write is over. Returns bytes written, 0 when the pipe is full (EAGAIN), -1 when the
    /// reader is gone or the descriptor closed. EINTR is retried.
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
