namespace Akka.Transport.Ipc.Diagnostics;

/// <summary>
/// The running counts of one association, kept by its handle on the hot paths: plain fields, no allocation, no
/// lock. Sent counts are added with interlocked operations (Write is thread-safe); received counts by the one
/// thread that delivers frames. Readers (metric collection) read them with volatile reads. Nothing is counted in a
/// process whose <see cref="FrameCounting"/> is off (the benchmark's comparison only).
/// </summary>
internal sealed class AssociationCounters
{
    internal long FramesSent;
    internal long BytesSent;
    internal long WritesBackPressured;
    internal long FramesReceived;
    internal long BytesReceived;
    internal long DoorbellPosts; // of an ended association only: a live one's are its channel's

    /// <summary>A frame of <paramref name="length"/> bytes was accepted for sending.</summary>
    public void Sent(int length)
    {
        if (!FrameCounting.Enabled)
            return;
        Interlocked.Increment(ref FramesSent);
        Interlocked.Add(ref BytesSent, length);
    }

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
        FramesSent += Volatile.Read(ref other.FramesSent);
        BytesSent += Volatile.Read(ref other.BytesSent);
        WritesBackPressured += Volatile.Read(ref other.WritesBackPressured);
        FramesReceived += Volatile.Read(ref other.FramesReceived);
        BytesReceived += Volatile.Read(ref other.BytesReceived);
        DoorbellPosts += Volatile.Read(ref other.DoorbellPosts);
    }
}
