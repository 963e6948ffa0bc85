using Akka.Actor;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Diagnostics;
using Google.Protobuf;

namespace Akka.Transport.Ipc.Transport;

/// <summary>
/// One association as Akka.Remote sees it. <see cref="Write"/> goes straight to the channel (thread-safe, never
/// blocks, no copy); inbound frames stay in the ring until Akka registers its listener, then arrive in order.
/// </summary>
internal sealed class IpcAssociationHandle : AssociationHandle, IChannelListener
{
    private readonly IChannel _channel;
    private readonly int _frameLimit;
    private readonly ILoggingAdapter _log;
    private readonly AssociationCounters _counters;
    private IHandleEventListener? _listener;

    public IpcAssociationHandle(Address local, Address remote, IChannel channel, int frameLimit, ILoggingAdapter log,
        AssociationCounters counters)
        : base(local, remote)
    {
        _channel = channel;
        _counters = counters;
        _frameLimit = frameLimit;
        _log = log;
        ReadHandlerSource.Task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
            {
                _listener = t.Result;
                _channel.SetListener(this);
            }
        }, TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>
    /// Sends <paramref name="payload"/> after every frame written before it. Thread-safe, never blocks, allocates
    /// nothing; the ByteString's memory is sent as is.
    /// </summary>
    /// <returns>
    /// false only for back-pressure (the queue is at <c>send-queue-limit</c>) or a closed association: Akka retries.
    /// A frame over the wire limit (<c>maximum-frame-size</c> plus the envelope headroom) is dropped with an ERROR
    /// log naming its size, the limit and the peer, and true is returned: it can never fit, so a retry would loop,
    /// and the association carries on (as Akka's EndpointWriter does with an oversized payload).
    /// </returns>
    public override bool Write(ByteString payload)
    {
        if (payload.Length > _frameLimit)
        {
            // EndpointWriter checks maximum-frame-size first, so this is a frame nobody could receive.
            _log.Error("Dropped a {0}-byte frame to {1}: larger than the wire limit of {2} bytes", payload.Length, RemoteAddress, _frameLimit);
            return true;
        }
        if (_channel.TryWrite(payload.Memory))
            return true; // the channel counted it, inside its write lock
        _counters.BackPressured();
        return false;
    }

#pragma warning disable CS0672 // the obsolete overload is the one the SPI requires
    public override void Disassociate() => _channel.RequestClose();
#pragma warning restore CS0672

    void IChannelListener.OnFrame(ReadOnlySpan<byte> frame, byte[]? owned)
    {
        _counters.Received(frame.Length);
        _listener!.Notify(new InboundPayload(UnsafeByteOperations.UnsafeWrap(owned ?? frame.ToArray())));
    }

    void IChannelListener.OnClosed(string reason, bool abnormal)
    {
        if (abnormal)
            _log.Warning("IPC association {0} -> {1} ({2}) ended: {3}", LocalAddress, RemoteAddress, _channel.Kind, reason);
        else
            _log.Debug("IPC association {0} -> {1} ({2}) ended: {3}", LocalAddress, RemoteAddress, _channel.Kind, reason);
        _listener!.Notify(new Disassociated(DisassociateInfo.Unknown));
    }
}
