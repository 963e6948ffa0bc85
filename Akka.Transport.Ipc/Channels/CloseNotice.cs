namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Tells a channel's listener, exactly once, that the channel closed — whichever comes first, the close or the
/// listener's registration. Akka registers its read handler some time after the handle exists, and a channel
/// can close before that (corruption, the transport shutting down); the close is then reported on registration,
/// on the registering thread. Thread-safe.
/// </summary>
internal sealed class CloseNotice
{
    private readonly object _lock = new();
    private IChannelListener? _listener;
    private string? _reason;
    private bool _abnormal;
    private bool _silent;

    /// <summary>Registers the listener; when the channel has closed already, tells it now.</summary>
    public void Register(IChannelListener listener)
    {
        lock (_lock)
        {
            if (_listener != null)
                return;
            _listener = listener;
            if (_reason == null || _silent)
                return;
        }
        listener.OnClosed(_reason, _abnormal);
    }

    /// <summary>
    /// Records the close and tells the registered listener, if any (else the one that registers later). A
    /// <paramref name="silent"/> close — this side asked for it — is told to nobody. Only the first close counts.
    /// </summary>
    public void Closed(string reason, bool abnormal, bool silent)
    {
        IChannelListener? listener;
        lock (_lock)
        {
            if (_reason != null)
                return;
            _reason = reason;
            _abnormal = abnormal;
            _silent = silent;
            listener = _listener;
        }
        if (listener != null && !silent)
            listener.OnClosed(reason, abnormal);
    }
}
