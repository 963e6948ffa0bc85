using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Consumes frames nobody will receive: those arriving at a side that closes without a listener. Consuming them
/// frees the ring, so a peer flushing towards that side finishes instead of waiting its flush-timeout.
/// A struct, so discarding allocates nothing for it.
/// </summary>
internal readonly struct DiscardedFrames : IFrameHandler
{
    public void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
    {
    }
}
