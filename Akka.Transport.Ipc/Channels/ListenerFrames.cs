using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>Passes decoded frames to a channel's listener; a struct, so reading allocates nothing for it.</summary>
internal readonly struct ListenerFrames : IFrameHandler
{
    private readonly IChannelListener _listener;

    public ListenerFrames(IChannelListener listener) => _listener = listener;

    public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned) => _listener.OnFrame(frame, owned);
}
