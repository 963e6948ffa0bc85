using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Passes decoded frames to a channel's listener; a struct, so reading allocates nothing for it. With a receiver
/// profile, one hand-off in <see cref="ReceiverProfile.HandOffSampleInterval"/> is timed.
/// </summary>
internal readonly struct ListenerFrames : IFrameHandler
{
    private readonly IChannelListener _listener;
    private readonly ReceiverProfile? _profile;

    public ListenerFrames(IChannelListener listener, ReceiverProfile? profile = null)
    {
        _listener = listener;
        _profile = profile;
    }

    public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
    {
        if (_profile == null || !_profile.SampleNextHandOff())
        {
            _listener.OnFrame(frame, owned);
            return;
        }
        long start = _profile.SampleStart();
        _listener.OnFrame(frame, owned);
        _profile.SampleEnd(start);
    }
}
