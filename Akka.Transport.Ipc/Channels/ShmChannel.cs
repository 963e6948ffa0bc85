using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// One association over shared memory: an outbound ring this side writes, an inbound ring it reads, and the
/// peer's doorbell. <see cref="TryWrite"/> is thread-safe and never blocks; everything else (reading, closing,
/// releasing the mapping) happens on the transport's receiver thread via <see cref="Service"/>, which is the
/// only thread that ever unmaps, so no reader or writer can touch memory that is gone.
/// </summary>
internal sealed unsafe partial class ShmChannel : IChannel
{
    /// <summary>Frames delivered per <see cref="Service"/> call, so one busy channel cannot starve others.</summary>
    private const int FrameBatch = 64;

    private const string PeerClosed = "the peer closed the association";

    private readonly ShmSegment _segment;
    private readonly RingWriter _out;
    private readonly RingReader _in;
    private readonly NamedSemaphore _peerDoorbell;
    private readonly NamedSemaphore _ownDoorbell;
    private readonly PollLoop _pollLoop;
    private readonly int _ownClosedOffset;
    private readonly int _peerClosedOffset;
    private readonly bool _isClient;
    private readonly long _sendQueueLimit;
    private readonly TimeSpan _flushTimeout;
    private readonly object _writeLock = new();
    private readonly PendingFrames _pending = new();
    private readonly TaskCompletionSource<bool> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _hasPending;
    private bool _closed; // guarded by _writeLock
    private volatile bool _closeRequested;
    private long _closeDeadline;
    private volatile string? _peerDeadReason;
    private ChannelEnd _peerDeadEnd = ChannelEnd.PeerExited;
    private volatile IChannelListener? _listener;
    private readonly CloseNotice _closeNotice = new();
    private volatile bool _connecting;
    private volatile bool _attention; // an event another thread raised for the receiver (a listener registered)

    public ShmChannel(ShmSegment segment, bool isClient, int peerPort, NamedSemaphore peerDoorbell,
        NamedSemaphore ownDoorbell, PollLoop pollLoop, int wireFrameLimit,
        long sendQueueLimit, TimeSpan flushTimeout)
    {
        _segment = segment;
        _isClient = isClient;
        PeerPort = peerPort;
        _peerDoorbell = peerDoorbell;
        _ownDoorbell = ownDoorbell;
        _pollLoop = pollLoop;
        _sendQueueLimit = sendQueueLimit;
        _flushTimeout = flushTimeout;
        _connecting = isClient;
        if (!isClient)
            _accepted.SetResult(true);
        else
            _accepted.Task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted); // observed even when nobody waits any more
        byte* outRing = isClient ? segment.ClientToServerRing : segment.ServerToClientRing;
        byte* inRing = isClient ? segment.ServerToClientRing : segment.ClientToServerRing;
        _out = new RingWriter(outRing, segment.RingCapacity);
        _in = new RingReader(inRing, segment.RingCapacity, wireFrameLimit);
        _ownClosedOffset = isClient ? SegmentLayout.ClientClosedOffset : SegmentLayout.ServerClosedOffset;
        _peerClosedOffset = isClient ? SegmentLayout.ServerClosedOffset : SegmentLayout.ClientClosedOffset;
    }

    public int PeerPort { get; }

    public string Kind => "shm";

    /// <summary>The watch on the peer's life FIFO; released with the channel.</summary>
    public PollRegistration? PeerLife { get; set; }

    /// <summary>Completes when the listener accepted (client side); faults with the reason otherwise.</summary>
    public Task Accepted => _accepted.Task;

    public bool IsClosed { get; private set; }

    /// <summary>Completes once the channel is closed and its resources released.</summary>
    public Task<bool> Completion => _completion.Task;

    /// <inheritdoc />
    public ChannelEnd? End { get; private set; }

    /// <inheritdoc />
    public long RingUsedBytes
    {
        get
        {
            // Under the lock and before the close: Close sets _closed under it before it unmaps the segment. A ring
            // whose positions are impossible (a hostile or broken peer wrote them) reads as 0 here: this is a figure
            // for statistics and gauges, and the association itself ends on the corruption where it is read or written.
            lock (_writeLock)
            {
                if (_closed)
                    return 0;
                try
                {
                    return _out.UsedBytes;
                }
                catch (RingCorruptedException)
                {
                    return 0;
                }
            }
        }
    }

    /// <inheritdoc />
    public long DoorbellPosts => _peerDoorbell.Posts;

    /// <inheritdoc />
    public SentFrames Sent { get; } = new();

    /// <inheritdoc />
    public long QueuedBytes
    {
        get
        {
            lock (_writeLock)
                return _pending.Bytes;
        }
    }

    /// <summary>
    /// Queues <paramref name="frame"/> for the peer, in order with every other write. Never blocks.
    /// The memory must stay unchanged until written (ByteString's is immutable).
    /// </summary>
    /// <returns>false only when the channel is closed or the per-channel queue is past its byte limit.</returns>
    public bool TryWrite(ReadOnlyMemory<byte> frame)
    {
        lock (_writeLock)
        {
            if (_closed || _closeRequested)
                return false;
            try
            {
                if (_pending.Count == 0)
                {
                    int written = 0;
                    bool done = _out.TryWrite(frame.Span, ref written);
                    // "done" alone published something too: a zero-length frame is a record with no payload.
                    if ((done || written > 0) && _out.TakeConsumerWakeRequest())
                        _peerDoorbell.Post();
                    if (done)
                    {
                        Sent.Add(frame.Length);
                        return true;
                    }
                    Enqueue(frame, written);
                }
                else
                {
                    if (QueuedCost + RecordLayout.HeaderLength + frame.Length > _sendQueueLimit)
                        return false;
                    Enqueue(frame, 0);
                }
                Sent.Add(frame.Length);
                DrainLocked();
                return true;
            }
            catch (RingCorruptedException e)
            {
                MarkPeerDead(e.Message, ChannelEnd.Corrupt);
                return false;
            }
        }
    }

    /// <summary>
    /// What the queued frames cost against send-queue-limit: their payload plus a record header each, so a queue
    /// of empty frames is bounded too. Under <see cref="_writeLock"/>.
    /// </summary>
    private long QueuedCost => _pending.Bytes + (long)_pending.Count * RecordLayout.HeaderLength;

    /// <summary>
    /// Starts delivery: frames stay in the ring until a listener is registered. A channel that closed before
    /// tells the listener now (posting a disposed doorbell does nothing).
    /// </summary>
    public void SetListener(IChannelListener listener)
    {
        _listener = listener;
        _closeNotice.Register(listener);
        _attention = true;
        _ownDoorbell.Post();
    }

    /// <summary>Closes this side once queued frames are flushed (bounded by the flush timeout). Idempotent.</summary>
    public void RequestClose()
    {
        lock (_writeLock)
        {
            if (_closeRequested)
                return;
            // From here Write refuses: what it accepted before is flushed, and nothing can extend that forever.
            _closeDeadline = Environment.TickCount64 + (long)_flushTimeout.TotalMilliseconds;
            _closeRequested = true;
        }
        _ownDoorbell.Post();
    }

    /// <summary>The peer process is gone (or misbehaved: <paramref name="end"/> says which): deliver what it published, then close.</summary>
    public void MarkPeerDead(string reason, ChannelEnd end = ChannelEnd.PeerExited)
    {
        if (_peerDeadReason == null)
            _peerDeadEnd = end; // written before the reason, which the receiver thread reads first
        _peerDeadReason ??= reason;
        _ownDoorbell.Post();
    }

    /// <summary>
    /// How many times the receiver thread served this channel (<see cref="Service"/> calls): a work count, so a test
    /// can tell that an idle association costs nothing while others are busy. Written by the receiver thread only.
    /// </summary>
    public long Polls { get; private set; }

    /// <summary>Receiver thread: one round of work. Returns how much was done (0 = idle).</summary>
    public int Service()
    {
        if (IsClosed)
            return 0;
        Polls++;
        try
        {
            if (_connecting)
                return ServiceConnecting();
            int work = 0;
            if (_hasPending)
                work += DrainPending();
            var listener = _listener;
            if (listener != null)
            {
                var frames = new ListenerFrames(listener, Profile);
                work += ReadInbound(ref frames);
            }
            else if (_closeRequested)
            {
                // Closing with no listener: nothing that arrives can be delivered. Consume it, so a peer flushing
                // towards this side (possibly closing too) is not held up until its flush-timeout.
                var discarded = new DiscardedFrames();
                work += ReadInbound(ref discarded);
            }
            return work + ServiceClosing(listener);
        }
        catch (RingCorruptedException e)
        {
            Close(e.Message, ChannelEnd.Corrupt);
            return 1;
        }
    }

    /// <summary>Receiver thread: release everything now, telling the listener why (if it should hear).</summary>
    public void Close(string reason, ChannelEnd end)
    {
        if (IsClosed)
            return;
        IsClosed = true;
        End = end;
        bool flushed;
        lock (_writeLock)
        {
            _closed = true;
            flushed = _pending.Count == 0;
            _pending.Clear();
            _hasPending = false;
        }
        _segment.WriteVolatile(_ownClosedOffset, 1);
        _peerDoorbell.Post();
        _peerDoorbell.Dispose();
        if (_isClient)
            Posix.Unlink(_segment.Path);
        _segment.Dispose();
        if (PeerLife != null)
            _pollLoop.Forget(PeerLife);
        _accepted.TrySetException(new IOException(reason));
        _closeNotice.Closed(reason, end.IsAbnormal(), silent: _closeRequested);
        _completion.TrySetResult(flushed);
    }

    private int ServiceConnecting()
    {
        int state = _segment.ReadVolatile(SegmentLayout.StateOffset);
        if (state == SegmentLayout.Accepted)
        {
            _connecting = false;
            _accepted.TrySetResult(true);
            return 1;
        }
        var (reason, end) = state == SegmentLayout.Refused
            ? ("the listener refused: " + _segment.ReadText(SegmentLayout.RefusalOffset, SegmentLayout.ReasonField), ChannelEnd.Refused)
            : _closeRequested ? ("the connection attempt was abandoned", ChannelEnd.ClosedHere) : (_peerDeadReason, _peerDeadEnd);
        if (reason == null)
            return 0;
        Close(reason, end);
        return 1;
    }

    private int ReadInbound<THandler>(ref THandler handler) where THandler : IFrameHandler
    {
        int records = _in.Read(ref handler, FrameBatch);
        if (records > 0 && _in.TakeProducerWakeRequest())
            _peerDoorbell.Post();
        return records;
    }

    private int ServiceClosing(IChannelListener? listener)
    {
        if (_closeRequested)
        {
            // The flush ends when everything queued is in the ring, or when nobody will ever read it: the peer
            // closed its side (its flag) or died. Only a live peer that keeps its side open is waited for.
            if (!_hasPending || _peerDeadReason != null || _segment.ReadVolatile(_peerClosedOffset) != 0
                || Environment.TickCount64 >= _closeDeadline)
            {
                Close("closed by this side", ChannelEnd.ClosedHere);
                return 1;
            }
            return 0;
        }
        // An orderly close (the flag) wins over the hang-up that follows it when the peer then exits.
        string? reason = _segment.ReadVolatile(_peerClosedOffset) != 0 ? PeerClosed : _peerDeadReason;
        // Deliver everything the peer published before its close, and only to a registered listener.
        if (reason == null || listener == null || _in.HasData)
            return 0;
        Close(reason, ReferenceEquals(reason, PeerClosed) ? ChannelEnd.ClosedByPeer : _peerDeadEnd);
        return 1;
    }

    private int DrainPending()
    {
        lock (_writeLock)
        {
            if (_closed)
                return 0;
            long before = _pending.Bytes;
            int count = _pending.Count;
            DrainLocked();
            return before != _pending.Bytes || count != _pending.Count ? 1 : 0;
        }
    }

    private void Enqueue(ReadOnlyMemory<byte> frame, int written)
    {
        _pending.Enqueue(frame, written);
        _hasPending = true;
    }

    private void DrainLocked()
    {
        bool progress = false;
        for (int attempt = 0; attempt < 2 && _pending.Count > 0; attempt++)
        {
            while (_pending.TryPeek(out var head))
            {
                int written = _pending.HeadWritten;
                bool done = _out.TryWrite(head.Span, ref written);
                progress |= written != _pending.HeadWritten || done;
                _pending.HeadWritten = written;
                if (!done)
                    break;
                _pending.RemoveHead();
            }
            if (_pending.Count > 0 && attempt == 0)
                _out.RequestSpaceNotification(); // then retry once: the consumer may have freed space meanwhile
        }
        _hasPending = _pending.Count > 0;
        if (progress && _out.TakeConsumerWakeRequest())
            _peerDoorbell.Post();
    }
}
