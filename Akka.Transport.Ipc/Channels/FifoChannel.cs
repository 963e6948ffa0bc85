using System.Diagnostics;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// One association over two FIFOs (one per direction) carrying length-prefixed frames
/// (<see cref="StreamFrameDecoder"/>). Both descriptors are non-blocking and served by the transport's poll
/// thread: it reads and reassembles inbound frames, drains queued outbound frames on POLLOUT, and performs the
/// close, so no thread exists per association. <see cref="TryWrite"/> writes directly when the pipe has room.
/// The peer's death is the kernel closing its ends: EOF on the read side, POLLERR on the write side.
/// </summary>
internal sealed unsafe class FifoChannel : IChannel, IPollHandler
{
    private const int ReadBufferSize = 64 * 1024;
    private const int ReadsPerWakeUp = 16;

    /// <summary>
    /// Writes closer together than this (10 µs) form a burst and are gathered into one write. A lone round trip
    /// over a FIFO takes longer than that, so request/response traffic keeps writing each frame at once.
    /// </summary>
    private static readonly long BurstWindowTicks = Stopwatch.Frequency / 100_000;

    private readonly PollLoop _loop;
    private readonly long _sendQueueLimit;
    private readonly TimeSpan _flushTimeout;
    private readonly int _pipeSize;
    private readonly StreamFrameDecoder _decoder;
    private readonly object _writeLock = new();
    private readonly TaskCompletionSource<bool> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FifoHandshake? _handshake;
    private PollRegistration? _read;
    private PollRegistration? _write;
    private FifoWriter? _out; // guarded by _writeLock; set with _write
    private byte[]? _readBuffer;
    private long _lastWriteTimestamp; // guarded by _writeLock
    private bool _closed; // guarded by _writeLock
    private bool _closeRequested; // poll thread
    private bool _writesRefused; // guarded by _writeLock: set by RequestClose
    private volatile IChannelListener? _listener;
    private readonly CloseNotice _closeNotice = new();
    private bool _isClosedOnLoop; // poll thread
    private bool _closeTimerScheduled; // poll thread
    private bool _peerGone; // poll thread: the peer's read end closed

    private FifoChannel(PollLoop loop, int wireFrameLimit, long sendQueueLimit, TimeSpan flushTimeout, int pipeSize, FifoHandshake? handshake)
    {
        _loop = loop;
        _sendQueueLimit = sendQueueLimit;
        _flushTimeout = flushTimeout;
        _pipeSize = pipeSize;
        _decoder = new StreamFrameDecoder(wireFrameLimit);
        _handshake = handshake;
        _accepted.Task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    public string Kind => "fifo";

    public Task Accepted => _accepted.Task;

    public Task<bool> Completion => _completion.Task;

    /// <inheritdoc />
    public ChannelEnd? End { get; private set; }

    /// <inheritdoc />
    public long RingUsedBytes => 0;

    /// <inheritdoc />
    public long DoorbellPosts => 0;

    /// <inheritdoc />
    public SentFrames Sent { get; } = new();

    /// <inheritdoc />
    public long QueuedBytes
    {
        get
        {
            lock (_writeLock)
                return _out?.PendingBytes ?? 0;
        }
    }

    /// <summary>The accepting side: both ends are open already.</summary>
    public static FifoChannel Accept(PollLoop loop, FileDescriptor read, FileDescriptor write, int wireFrameLimit,
        long sendQueueLimit, TimeSpan flushTimeout, int pipeSize)
    {
        var channel = new FifoChannel(loop, wireFrameLimit, sendQueueLimit, flushTimeout, pipeSize, handshake: null);
        channel._accepted.SetResult(true);
        channel.AttachWriter(write);
        // Not polled until a listener registers: frames wait in the pipe meanwhile.
        channel._read = loop.Watch(read, channel, LibC.POLLIN);
        channel._read.Enabled = false;
        return channel;
    }

    /// <summary>The connecting side: reads the listener's answer first, then opens its write end.</summary>
    public static FifoChannel Connect(PollLoop loop, FileDescriptor read, FifoHandshake handshake, int wireFrameLimit,
        long sendQueueLimit, TimeSpan flushTimeout, int pipeSize)
    {
        var channel = new FifoChannel(loop, wireFrameLimit, sendQueueLimit, flushTimeout, pipeSize, handshake);
        channel._read = loop.Watch(read, channel, LibC.POLLIN);
        return channel;
    }

    /// <summary>
    /// Thread-safe, never blocks; false once closed (or the reader is gone) or past the queue limit. A write that
    /// follows the previous one within <see cref="BurstWindowTicks"/> is part of a burst: it is staged and goes out
    /// with the others in one write (by this thread once enough are staged, else by the poll thread right after);
    /// an isolated write goes out at once, so a lone message pays no thread hop.
    /// </summary>
    public bool TryWrite(ReadOnlyMemory<byte> frame)
    {
        lock (_writeLock)
        {
            if (_closed || _writesRefused || _out == null)
                return false;
            long now = Stopwatch.GetTimestamp();
            bool burst = now - _lastWriteTimestamp < BurstWindowTicks;
            _lastWriteTimestamp = now;
            if (!burst && !_out.HasPending)
            {
                if (!_out.WriteDirect(frame))
                    return false; // the reader is gone; the read side reports the end
            }
            else
            {
                if (_out.QueuedCost + StreamFrameDecoder.HeaderLength + frame.Length > _sendQueueLimit)
                    return false;
                if (!_out.Append(frame))
                    return false;
            }
            Sent.Add(frame.Length);
            if (_out.HasPending)
                _write!.Events = LibC.POLLOUT; // the poll thread writes the rest as soon as the pipe has room
            return true;
        }
    }

    /// <summary>Starts delivery; a channel that closed before tells <paramref name="listener"/> now.</summary>
    public void SetListener(IChannelListener listener)
    {
        _listener = listener;
        _closeNotice.Register(listener);
        _loop.Post(() =>
        {
            if (_isClosedOnLoop || _read == null)
                return;
            _read.Enabled = true;
            if (_peerGone)
                DeliverRestAndClose();
        });
    }

    public void RequestClose()
    {
        // From here Write refuses: what it accepted before is flushed, and nothing can extend that forever.
        lock (_writeLock)
            _writesRefused = true;
        _loop.Post(BeginClose);
    }

    private void BeginClose()
    {
        if (_isClosedOnLoop || _closeRequested)
            return;
        _closeRequested = true;
        FinishOrderlyClose();
        // Closing with no listener: nothing that arrives can be delivered. Read and discard it (OnReadable), so a
        // peer flushing towards this side (possibly closing too) finishes instead of waiting its flush-timeout.
        if (!_isClosedOnLoop && _listener == null && _read != null)
            _read.Enabled = true;
    }

    /// <summary>
    /// Poll thread: once everything queued is written, sends the close marker and closes. While the pipe is full
    /// both wait for POLLOUT (bounded by the flush timeout), so the peer hears an orderly close, not a crash.
    /// </summary>
    private void FinishOrderlyClose()
    {
        bool done;
        lock (_writeLock)
            done = _out == null || (!_out.HasPending && _out.TryWriteCloseMarker());
        if (done)
        {
            Close("closed by this side", ChannelEnd.ClosedHere);
            return;
        }
        _write!.Events = LibC.POLLOUT;
        if (_closeTimerScheduled)
            return;
        _closeTimerScheduled = true;
        _loop.Schedule(_flushTimeout, () => Close("closed by this side (flush timed out)", ChannelEnd.ClosedHere));
    }

    /// <summary>Poll thread: the loop stopped (the transport shut down) while this channel was open.</summary>
    void IPollHandler.OnLoopStopped(PollRegistration registration) => Close("the transport shut down", ChannelEnd.ShutDown);

    bool IPollHandler.OnReady(PollRegistration registration, short events)
    {
        if (_isClosedOnLoop)
            return true; // the close posted its Forget already
        try
        {
            if (registration == _write)
                OnWritable(events);
            else if (_handshake != null && !_accepted.Task.IsCompleted)
                OnHandshake();
            else
                OnReadable();
        }
        catch (InvalidDataException e)
        {
            Close(e.Message, ChannelEnd.Corrupt);
        }
        return true;
    }

    private void OnHandshake()
    {
        string? refusal = _handshake!.ReadAnswer(_read!.Fd, out bool waiting);
        if (waiting)
            return;
        if (refusal != null)
        {
            Close(refusal, ChannelEnd.Refused);
            return;
        }
        FileDescriptor write;
        try
        {
            write = _handshake.OpenWriteEnd();
        }
        catch (IOException e)
        {
            // ENXIO: the listener's read end closed after it answered (it died). Fail the Associate now.
            Close("the listener went away after accepting: " + e.Message, ChannelEnd.PeerExited);
            return;
        }
        _handshake.RemoveFiles();
        lock (_writeLock)
            AttachWriter(write);
        _read!.Enabled = false; // until a listener registers
        _accepted.TrySetResult(true);
    }

    private void OnReadable(int maxReads = ReadsPerWakeUp)
    {
        var listener = _listener;
        if (listener == null && !_closeRequested)
        {
            _read!.Enabled = false;
            return;
        }
        _readBuffer ??= new byte[ReadBufferSize];
        var frames = listener != null ? new ListenerFrames(listener) : default;
        var discarded = new DiscardedFrames(); // closing with no listener: see BeginClose
        for (int i = 0; i < maxReads; i++)
        {
            nint read;
            fixed (byte* buffer = _readBuffer)
                read = LibC.Read(_read!.Fd.Fd, buffer, _readBuffer.Length);
            if (read > 0)
            {
                if (listener != null)
                    _decoder.Decode(_readBuffer.AsSpan(0, (int)read), ref frames);
                else
                    _decoder.Decode(_readBuffer.AsSpan(0, (int)read), ref discarded);
                if (_decoder.Closed)
                {
                    Close("the peer closed the association", ChannelEnd.ClosedByPeer);
                    return;
                }
                if (read < _readBuffer.Length)
                    return; // a pipe gives all it holds: a short read emptied it (poll reports what comes next)
                continue;
            }
            int errno = read < 0 ? LibC.Errno : 0;
            if (errno == Errno.EINTR)
                continue;
            if (errno == Errno.EAGAIN)
                return;
            Close(read == 0
                ? (_decoder.IsMidFrame ? "the peer process exited in the middle of a frame" : "the peer process exited")
                : "reading the FIFO failed: " + LibC.Describe(errno), read == 0 ? ChannelEnd.PeerExited : ChannelEnd.Failed);
            return;
        }
    }

    private void OnWritable(short events)
    {
        if ((events & (LibC.POLLERR | LibC.POLLHUP)) != 0)
        {
            // The peer's read end is closed: it exited (or is closing). Nothing queued can arrive.
            lock (_writeLock)
                _out!.DropPending();
            _write!.Enabled = false;
            _peerGone = true;
            if (_listener != null)
                DeliverRestAndClose();
            else if (_closeRequested)
                Close("closed by this side (the peer closed first)", ChannelEnd.ClosedHere); // nothing left to flush to
            return;
        }
        lock (_writeLock)
        {
            _out!.OnWritable(); // a gone reader drops the backlog; POLLERR or the read side reports the end
            if (_out.HasPending)
                return;
            _write!.Events = 0;
        }
        if (_closeRequested)
            FinishOrderlyClose();
    }

    /// <summary>Poll thread: deliver what the departed peer wrote, then end the association.</summary>
    private void DeliverRestAndClose()
    {
        OnReadable(int.MaxValue);
        Close("the peer process exited", ChannelEnd.PeerExited);
    }

    /// <summary>Poll thread: release everything, telling the listener why (unless this side asked).</summary>
    private void Close(string reason, ChannelEnd end)
    {
        if (_isClosedOnLoop)
            return;
        _isClosedOnLoop = true;
        End = end;
        bool flushed;
        lock (_writeLock)
        {
            _closed = true;
            if (_closeRequested && _out != null && !_out.HasPending && !_out.MarkerWritten)
                _out.TryWriteCloseMarker(); // best effort (flush timed out with the pipe full); EOF says the same less politely
            _out?.DropPending();
            flushed = _out is not { DroppedQueued: true };
        }
        if (_read != null)
            _loop.Forget(_read);
        if (_write != null)
            _loop.Forget(_write);
        _handshake?.RemoveFiles();
        _accepted.TrySetException(new IOException(reason));
        _closeNotice.Closed(reason, end.IsAbnormal(), silent: _closeRequested);
        _completion.TrySetResult(flushed);
    }

    private void AttachWriter(FileDescriptor write)
    {
        if (_pipeSize > 0)
            LibC.Fcntl(write.Fd, LibC.F_SETPIPE_SZ, _pipeSize); // best effort: a larger pipe means fewer wake-ups
        _write = _loop.Watch(write, this, events: 0);
        _out = new FifoWriter(write);
    }
}
