using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Diagnostics;

/// <summary>
/// The running counts of one association, or the totals of ended ones. Sent frames and bytes are the channel's own
/// (<see cref="SentFrames"/>, counted inside its write lock); the handle counts the rest on its paths: plain fields, no
/// allocation, no lock. Back-pressured writes are added with an interlocked operation (a refused Write only); received
/// counts by the one thread that delivers frames. Readers (metric collection, the statistics file) read with volatile
/// reads. Nothing is counted in a process whose <see cref="FrameCounting"/> is off (the benchmark's comparison only).
/// </summary>
internal sealed class AssociationCounters
{
    private readonly SentFrames? _sent;
    private long _framesSentAdded;
    private long _bytesSentAdded;
    internal long WritesBackPressured;
    internal long FramesReceived;
    internal long BytesReceived;
    internal long DoorbellPosts; // of an ended association only: a live one's are its channel's

    /// <summary>The counts of an association whose channel counts its sent frames in <paramref name="sent"/>.</summary>
    public AssociationCounters(SentFrames sent) => _sent = sent;

    /// <summary>Totals that ended associations are added to (<see cref="Add"/>).</summary>
    public AssociationCounters()
    {
    }

    /// <summary>Frames accepted by Write.</summary>
    public long FramesSent => (_sent?.Frames ?? 0) + Volatile.Read(ref _framesSentAdded);

    /// <summary>Payload bytes accepted by Write.</summary>
    public long BytesSent => (_sent?.Bytes ?? 0) + Volatile.Read(ref _bytesSentAdded);

    /// <summary>A write was refused for back-pressure (or a closed association): Akka retries it.</summary>
    public void BackPressured()
    {
        if (FrameCounting.Enabled)
            Interlocked.Increment(ref WritesBackPressured);
    }

    /// <summary>Receiving thread only: a frame of <paramref name="length"/> bytes was delivered.</summary>
    public void Received(int length)
    {
        if (!FrameCounting.Enabled)
            return;
        Volatile.Write(ref FramesReceived, FramesReceived + 1);
        Volatile.Write(ref BytesReceived, BytesReceived + length);
    }

    /// <summary>Adds <paramref name="other"/>'s counts to these (under the owner's lock).</summary>
    public void Add(AssociationCounters other)
    {
        Volatile.Write(ref _framesSentAdded, _framesSentAdded + other.FramesSent);
        Volatile.Write(ref _bytesSentAdded, _bytesSentAdded + other.BytesSent);
        WritesBackPressured += Volatile.Read(ref other.WritesBackPressured);
        FramesReceived += Volatile.Read(ref other.FramesReceived);
        BytesReceived += Volatile.Read(ref other.BytesReceived);
        DoorbellPosts += Volatile.Read(ref other.DoorbellPosts);
    }
}
