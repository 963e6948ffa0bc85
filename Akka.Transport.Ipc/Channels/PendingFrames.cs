namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Frames a channel accepted from Write but could not pass on yet (ring or pipe full), in order. Holds the
/// callers' memory, never a copy. Not thread-safe: used under the channel's write lock.
/// </summary>
internal sealed class PendingFrames
{
    /// <summary>A backlog deeper than this gives its queue array back once drained, so memory stays flat.</summary>
    private const int TrimAbove = 1024;

    private readonly Queue<ReadOnlyMemory<byte>> _frames = new();
    private int _peak;

    public int Count => _frames.Count;

    /// <summary>Payload bytes queued, compared against send-queue-limit.</summary>
    public long Bytes { get; private set; }

    /// <summary>Bytes of the first frame already passed on by an earlier partial write.</summary>
    public int HeadWritten { get; set; }

    /// <param name="frame">The caller's memory; it must not change until passed on.</param>
    /// <param name="written">Bytes of <paramref name="frame"/> already passed on (only for the first frame).</param>
    public void Enqueue(ReadOnlyMemory<byte> frame, int written)
    {
        if (_frames.Count == 0)
            HeadWritten = written;
        _frames.Enqueue(frame);
        Bytes += frame.Length;
        _peak = Math.Max(_peak, _frames.Count);
    }

    public bool TryPeek(out ReadOnlyMemory<byte> frame) => _frames.TryPeek(out frame);

    /// <summary>The first frame is fully passed on.</summary>
    public void RemoveHead()
    {
        Bytes -= _frames.Dequeue().Length;
        HeadWritten = 0;
        if (_frames.Count == 0)
            ReleaseBacklog();
    }

    public void Clear()
    {
        _frames.Clear();
        Bytes = 0;
        HeadWritten = 0;
        ReleaseBacklog();
    }

    /// <summary>Frames from the first on, for gathered writes (struct enumerator: no allocation).</summary>
    public Queue<ReadOnlyMemory<byte>>.Enumerator GetEnumerator() => _frames.GetEnumerator();

    private void ReleaseBacklog()
    {
        if (_peak <= TrimAbove)
            return;
        _frames.TrimExcess();
        _peak = 0;
    }
}
