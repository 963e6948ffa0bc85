using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Transport;

namespace Akka.Transport.Ipc;

/// <summary>
/// Akka.Remote transport between processes on one host over shared-memory rings. Enable it with
/// <c>akka.remote.enabled-transports = ["akka.remote.ipc"]</c> and
/// <c>akka.remote.ipc.transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"</c>;
/// addresses read <c>akka.ipc://System@host:port</c>.
/// </summary>
public sealed class IpcTransport : Akka.Remote.Transport.Transport
{
    /// <summary>The scheme; Akka.Remote shows it as <c>akka.ipc</c>.</summary>
    public const string Scheme = "ipc";

    /// <summary>
    /// How long Shutdown lets Akka.Remote disassociate its handles itself: it stops its endpoint writers and calls
    /// Shutdown before their protocol actors have written the Disassociate PDU, and closing first would lose it.
    /// </summary>
    private static readonly TimeSpan DisassociateGrace = TimeSpan.FromSeconds(1);

    private readonly ILoggingAdapter _log;
    private readonly List<InboundOffer> _heldInbound = new();
    private readonly object _inboundLock = new();
    private Rendezvous? _rendezvous;
    private IAssociationEventListener? _associationListener;
    private Address? _localAddress;

    /// <summary>Called by Akka.Remote with the transport's configuration section.</summary>
    public IpcTransport(ActorSystem system, Config config)
    {
        System = system;
        Config = (config ?? Config.Empty).WithFallback(IpcSettings.DefaultConfig);
        Settings = IpcSettings.Create(Config);
        SchemeIdentifier = Scheme;
        MaximumPayloadBytes = Settings.MaximumFrameSize;
        _log = Logging.GetLogger(system, typeof(IpcTransport));
    }

    /// <summary>The validated settings this transport runs with.</summary>
    public IpcSettings Settings { get; }

    /// <summary>The IPC directory in use (after Listen).</summary>
    public string Directory => Settings.ResolvedDirectory;

    /// <inheritdoc />
    public override Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        // Akka.Remote expects failures as a faulted task: a synchronous throw here leaves its startup hanging.
        try
        {
            return Task.FromResult(StartListening());
        }
        catch (Exception e)
        {
            return Task.FromException<(Address, TaskCompletionSource<IAssociationEventListener>)>(e);
        }
    }

    private (Address, TaskCompletionSource<IAssociationEventListener>) StartListening()
    {
        var rendezvous = Rendezvous.Listen(Settings, System.Name, OnInbound,
            warning => _log.Warning(warning), e => _log.Error(e, "IPC transport thread failed"));
        _rendezvous = rendezvous;
        EndpointExitHooks.Register(rendezvous); // a process that leaves before Shutdown completes leaves nothing
        _localAddress = new Address(Scheme, System.Name, Settings.Hostname, rendezvous.Port);
        var promise = new TaskCompletionSource<IAssociationEventListener>(TaskCreationOptions.RunContinuationsAsynchronously);
        promise.Task.ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully)
                ReleaseHeldInbound(t.Result);
        }, TaskContinuationOptions.ExecuteSynchronously);
        _log.Info("IPC transport listening on {0} (directory {1}, {2})", _localAddress, rendezvous.Names.Directory,
            rendezvous.ShmAvailable ? "shared memory" : "FIFOs only");
        return (_localAddress, promise);
    }

    /// <inheritdoc />
    public override bool IsResponsibleFor(Address remote) => true;

    /// <inheritdoc />
    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        var rendezvous = _rendezvous ?? throw new InvalidOperationException("Associate called before Listen");
        if (remoteAddress.Port is not int port || port is < 1 or > 65535)
            throw new InvalidAssociationException($"{remoteAddress} has no valid IPC port");
        IChannel channel;
        try
        {
            channel = await rendezvous.ConnectAsync(port).ConfigureAwait(false);
        }
        catch (EndpointNotFoundException e)
        {
            throw new InvalidAssociationException($"Cannot associate with {remoteAddress}: {e.Message}", e);
        }
        return new IpcAssociationHandle(_localAddress!, remoteAddress, channel, Settings.WireFrameLimit, _log);
    }

    /// <inheritdoc />
    public override async Task<bool> Shutdown()
    {
        var rendezvous = _rendezvous;
        if (rendezvous == null)
            return true;
        try
        {
            await rendezvous.CloseAllAsync(DisassociateGrace, Settings.FlushTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            return true;
        }
        finally
        {
            rendezvous.Dispose();
        }
    }

    private void OnInbound(InboundOffer offer)
    {
        lock (_inboundLock)
        {
            if (_associationListener == null)
            {
                // Akka.Remote completes the listener promise once every transport listens; hold until then.
                _heldInbound.Add(offer);
                return;
            }
        }
        Notify(_associationListener, offer);
    }

    private void ReleaseHeldInbound(IAssociationEventListener listener)
    {
        List<InboundOffer> held;
        lock (_inboundLock)
        {
            _associationListener = listener;
            held = new List<InboundOffer>(_heldInbound);
            _heldInbound.Clear();
        }
        foreach (var offer in held)
            Notify(listener, offer);
    }

    private void Notify(IAssociationEventListener listener, InboundOffer offer)
    {
        var remote = new Address(Scheme, offer.System, offer.Host, offer.Port);
        var handle = new IpcAssociationHandle(_localAddress!, remote, offer.Channel, Settings.WireFrameLimit, _log);
        listener.Notify(new InboundAssociation(handle));
    }
}
