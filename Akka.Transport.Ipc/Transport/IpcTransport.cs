using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Transport;
using Akka.Transport.Ipc.Transport.CertainDeath;

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
    private IDisposable? _certainDeath;

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
        // Before the endpoint exists: a configuration it rejects (down-dead-peers) then leaves nothing behind.
        var certainDeath = CertainDeathReactions.Start((ExtendedActorSystem)System, Settings, _log);
        Rendezvous rendezvous;
        try
        {
            rendezvous = Rendezvous.Listen(Settings, System.Name, OnInbound,
                warning => _log.Warning(warning), e => _log.Error(e, "IPC transport thread failed"));
        }
        catch
        {
            certainDeath.Dispose();
            throw;
        }
        _certainDeath = certainDeath;
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
            channel = await rendezvous.ConnectAsync(port, remoteAddress.System, remoteAddress.Host ?? "").ConfigureAwait(false);
        }
        // Expected conditions, logged by Akka.Remote every time its gate opens: one line that says everything,
        // no inner exception (and its stack) from us.
        catch (EndpointNotFoundException e)
        {
            throw new InvalidAssociationException($"Cannot associate with {Display(remoteAddress)}: {e.Message}");
        }
        catch (EndpointMismatchException e)
        {
            var listening = new Address(Scheme, e.System, e.Host, port);
            throw new InvalidAssociationException(
                $"{Display(remoteAddress)} does not match the endpoint listening there: {e.Message}, so its address is " +
                $"{Display(listening)}. Use that address (or change akka.remote.ipc.hostname or the system name there).");
        }
        catch (IOException e) when (e is not IpcSystemException)
        {
            // The listener refused (its reason says why: mode, ring-size, maximum-frame-size) or went away mid-handshake.
            throw new InvalidAssociationException($"Cannot associate with {Display(remoteAddress)}: {e.Message}");
        }
        return new IpcAssociationHandle(_localAddress!, remoteAddress, channel, Settings.WireFrameLimit, _log);
    }

    /// <summary>An address as users write it: Akka.Remote hands the transport addresses without the <c>akka.</c> prefix.</summary>
    private static string Display(Address address) => address.Protocol == Scheme ? "akka." + address : address.ToString();

    /// <summary>
    /// Stops accepting, gives Akka.Remote a moment to disassociate its handles, flushes what every association still
    /// has queued (up to <c>flush-timeout</c>), then closes everything and removes every file and semaphore this
    /// endpoint created. Never throws for a peer's behaviour.
    /// </summary>
    /// <returns>
    /// true when every frame <c>Write</c> accepted was sent; false when a flush timed out (a peer that does not
    /// read) and frames still queued were dropped. Akka.Remote then logs that messages may have been lost.
    /// </returns>
    public override async Task<bool> Shutdown()
    {
        _certainDeath?.Dispose();
        var rendezvous = _rendezvous;
        if (rendezvous == null)
            return true;
        try
        {
            bool flushed = await rendezvous.CloseAllAsync(DisassociateGrace, Settings.FlushTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            if (!flushed)
                _log.Warning("IPC transport {0} shut down with frames still queued after flush-timeout = {1}; they were dropped",
                    _localAddress, Settings.FlushTimeout);
            return flushed;
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
