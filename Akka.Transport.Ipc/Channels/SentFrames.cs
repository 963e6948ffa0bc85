namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The frames and payload bytes a channel accepted for sending. Counted by the channel inside its write lock, which
/// already orders every write: plain additions, no interlocked operation on the hot path (two of those per frame cost
/// the raw 64 B figure a third). Read by any thread (metric collection, the statistics file) with volatile reads; a
/// count read a moment late is still a count. Nothing is counted in a process whose <see cref="FrameCounting"/> is off.
/// </summary>
internal sealed class SentFrames
{
    private long _frames;
    private long _bytes;

    /// <summary>Frames accepted so far.</summary>
    public long Frames => Volatile.Read(ref _frames);

    /// <summary>Payload bytes of the frames accepted so far.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Under the channel's write lock only: a frame of <paramref name="length"/> bytes was accepted.</summary>
    public void Add(int length)
    {
        if (!FrameCounting.Enabled)
            return;
        Volatile.Write(ref _frames, _frames + 1);
        Volatile.Write(ref _bytes, _bytes + length);
    }
}
