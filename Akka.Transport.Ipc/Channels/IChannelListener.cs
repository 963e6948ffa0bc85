namespace Akka.Transport.Ipc.Channels;

/// <summary>What a channel delivers upward. Called on the transport's receiver thread, in order.</summary>
internal interface IChannelListener
{
    /// <summary>
    /// One inbound frame. <paramref name="frame"/> may point into shared memory and is valid only during the
    /// call; <paramref name="owned"/>, when not null, holds the same bytes and may be kept.
    /// </summary>
    void OnFrame(ReadOnlySpan<byte> frame, byte[]? owned);

    /// <summary>
    /// The peer closed, died or sent something corrupt; called once, after the last frame.
    /// <paramref name="abnormal"/> is false only for an orderly close by the peer.
    /// </summary>
    void OnClosed(string reason, bool abnormal);
}
