namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// One association's byte channel, whatever carries it (shared-memory rings or FIFOs). The handle above does
/// not know which.
/// </summary>
internal interface IChannel
{
    /// <summary>Which kind of channel this is, for logs.</summary>
    string Kind { get; }

    /// <summary>
    /// Sends <paramref name="frame"/> after every frame written before it. Thread-safe, never blocks; the memory
    /// must stay unchanged until sent (a ByteString's is immutable).
    /// </summary>
    /// <returns>false only when the channel is closed or its queue is past the byte limit.</returns>
    bool TryWrite(ReadOnlyMemory<byte> frame);

    /// <summary>Starts delivery: inbound frames wait in the channel until a listener is registered.</summary>
    void SetListener(IChannelListener listener);

    /// <summary>Closes this side once queued frames are flushed (bounded by the flush timeout). Idempotent.</summary>
    void RequestClose();

    /// <summary>Why the channel ended; null while it is open. Set before the listener hears of the close.</summary>
    ChannelEnd? End { get; }

    /// <summary>Bytes of frames accepted by <see cref="TryWrite"/> and still queued in memory (ring or pipe full).</summary>
    long QueuedBytes { get; }

    /// <summary>Bytes this side wrote into the peer's inbound ring that the peer has not consumed yet (0 for FIFOs).</summary>
    long RingUsedBytes { get; }

    /// <summary>Frames and bytes <see cref="TryWrite"/> accepted, counted under the channel's write lock.</summary>
    SentFrames Sent { get; }

    /// <summary>Doorbell posts this side made to wake the peer (0 for FIFOs).</summary>
    long DoorbellPosts { get; }

    /// <summary>Completes when the peer accepted the association (connecting side); faults with the reason otherwise.</summary>
    Task Accepted { get; }

    /// <summary>
    /// Completes once the channel is closed and its resources released: true when every frame
    /// <see cref="TryWrite"/> accepted was sent, false when some were still queued and were dropped (the flush
    /// timed out, or the peer went away first).
    /// </summary>
    Task<bool> Completion { get; }
}
