using Akka.Transport.Ipc.Channels;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>Records what a channel tells its listener.</summary>
internal sealed class ChannelEvents : IChannelListener
{
    private int _closeCount;

    public List<byte[]> Frames { get; } = new();

    public string? ClosedReason { get; private set; }

    public bool Abnormal { get; private set; }

    public int CloseCount => Volatile.Read(ref _closeCount);

    public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
    {
        lock (Frames)
            Frames.Add(owned ?? frame.ToArray());
    }

    public void OnClosed(string reason, bool abnormal)
    {
        ClosedReason = reason;
        Abnormal = abnormal;
        Interlocked.Increment(ref _closeCount);
    }
}
