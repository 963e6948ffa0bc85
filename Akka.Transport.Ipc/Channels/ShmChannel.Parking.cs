namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The receiver thread's side of a channel's parking: a channel idle for a few rounds is set aside with its inbound
/// ring's "asleep" flag raised, so its peer's next frame posts the doorbell (see <see cref="ShmReceiver"/>).
/// </summary>
internal sealed partial class ShmChannel
{
    /// <summary>
    /// Receiver thread: rounds in a row in which <see cref="Service"/> found nothing to do; the receiver sets the
    /// channel aside (<see cref="Park"/>) after a few.
    /// </summary>
    public int IdleRounds { get; set; }

    /// <summary>The receiver's profile (receiver-profile = on), set by the receiver thread when it takes the channel.</summary>
    public ReceiverProfile? Profile { get; set; }

    /// <summary>
    /// Whether the channel may be left unserved until its doorbell rings: only an open, accepted channel with nothing
    /// queued and no close under way (those need a look every round: a connect, a flush, a deadline).
    /// </summary>
    public bool CanPark => !IsClosed && !_connecting && !_hasPending && !_closeRequested && _peerDeadReason == null;

    /// <summary>
    /// Receiver thread: asks the peer's writer to post the doorbell with its next frame (the inbound ring's "asleep"
    /// flag, then a full fence), and reports whether the channel can go unserved: false when something arrived or
    /// happened meanwhile. Either this check or the writer's check of the flag sees the other, so no frame is missed.
    /// </summary>
    /// <remarks>
    /// Also called for every channel before the receiver blocks, including those that cannot stay parked (connecting,
    /// flushing): they are woken by the doorbell (the listener's accept, the peer freeing ring space) or the sleep's
    /// timeout, and served again after it.
    /// </remarks>
    public bool Park()
    {
        if (IsClosed)
            return true;
        _attention = false;
        // Not reading yet (no listener): the ring is left alone. Its flags must stay as offered until the listener
        // validated the segment, and what arrives waits for SetListener, which raises attention and rings.
        if (_listener == null && !_closeRequested)
            return !_attention;
        _in.PrepareToSleep();
        return !HasArrivals();
    }

    /// <summary>
    /// Receiver thread, for a parked channel after the doorbell rang: whether it has something to do. Cheap reads
    /// only (flags and the ring's tail), so looking at every parked channel per wake-up costs little.
    /// </summary>
    public bool NeedsService() => !IsClosed && (!CanPark || HasArrivals());

    /// <summary>Something to read (when it would be read), the peer's close to act on, or another thread's event.</summary>
    private bool HasArrivals()
    {
        bool reading = _listener != null || _closeRequested;
        return _attention || (reading && _in.HasData)
            || (_listener != null && _segment.ReadVolatile(_peerClosedOffset) != 0);
    }

    /// <summary>Receiver thread: back to being served every round; the writer stops posting.</summary>
    public void Unpark()
    {
        IdleRounds = 0;
        if (!IsClosed)
            _in.Awake();
    }
}
