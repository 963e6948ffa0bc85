using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Transport;
using Akka.Transport.Ipc.Transport.CertainDeath;

namespace Akka.Transport.Ipc;

/// <summary>
/// Akka.Remote transport between processes on one host over shared-memory rings. Enable it with
/// <c>akka.remote.enabled-transports = ["akka.remote.ipc"]</c> and
/// <c>akka.remote.ipc.transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"</c>;
/// addresses read <c>akka.ipc://System@host:port</c>. With <c>network-transport</c> set, the node's address is
/// that network transport's (<c>akka.tcp://…</c>) and this transport routes each association: to a peer that
/// advertises its address in the same IPC directory over IPC, to every other through the network transport,
/// whose handles pass through untouched. (The type lives in <c>Transport/</c> but keeps the root namespace:
/// its name is the <c>transport-class</c> users write.)
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
    private readonly Akka.Remote.Transport.Transport? _network;
    private IDisposable? _receiverMetrics;
    private EndpointStatsFile? _stats;
    private readonly RestartingPeers _restartingPeers = new();
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
        _log = Logging.GetLogger(system, typeof(IpcTransport));
        _network = NetworkTransport.Create(system, Settings.NetworkTransport);
        SchemeIdentifier = _network?.SchemeIdentifier ?? Scheme;
        // A frame Akka may send must fit whichever channel the peer turns out to be on.
        MaximumPayloadBytes = _network == null ? Settings.MaximumFrameSize : Math.Min(Settings.MaximumFrameSize, _network.MaximumPayloadBytes);
    }

    /// <summary>The validated settings this transport runs with.</summary>
    public IpcSettings Settings { get; }

    /// <summary>The IPC directory in use (after Listen).</summary>
    public string Directory => Settings.ResolvedDirectory;

    /// <inheritdoc />
    public override async Task<(Address, TaskCompletionSource<IAssociationEventListener>)> Listen()
    {
        // Akka.Remote expects failures as a faulted task (this method is async): a synchronous throw here leaves its
        // startup hanging.
        // First: a configuration it rejects (down-dead-peers) fails the start before the endpoint exists.
        _certainDeath = CertainDeathReactions.Start((ExtendedActorSystem)System, Settings, _log);
        TaskCompletionSource<IAssociationEventListener>? networkPromise = null;
        Address? networkAddress = null;
        if (_network != null)
            (networkAddress, networkPromise) = await _network.Listen().ConfigureAwait(false);
        int uid = AddressUidExtension.Uid(System);
        var events = new EndpointEvents(OnInbound, warning => _log.Warning(warning),
            e => _log.Error(e, "IPC transport thread failed"), OnPeerDead, () => IpcMeter.FellBackToFifo(System.Name));
        // Hybrid: the endpoint advertises the network address, and takes any free port of the directory (the port
        // space it shares with akka.ipc endpoints, so neither can take the other's).
        var rendezvous = networkAddress != null
            ? Rendezvous.Listen(Settings, port: 0, _ => new EndpointIdentity(networkAddress, uid), events)
            : Rendezvous.Listen(Settings, Settings.Port, port => new EndpointIdentity(new Address(Scheme, System.Name, Settings.Hostname, port), uid), events);
        _rendezvous = rendezvous;
        _receiverMetrics = rendezvous.ShmAvailable ? IpcMeter.TrackReceiver(System.Name, () => rendezvous.ReceiverSleeps, rendezvous.ReceiverProfile) : null;
        EndpointExitHooks.Register(rendezvous); // a process that leaves before Shutdown completes leaves nothing
        _localAddress = rendezvous.Identity.Address;
        _stats = new EndpointStatsFile(rendezvous.Names.Stats(rendezvous.Port), rendezvous.Names.StatsNew(rendezvous.Port),
            new StatsDocument
            {
                Pid = Environment.ProcessId, Port = rendezvous.Port, System = System.Name, Address = Display(_localAddress),
                Mode = rendezvous.ShmAvailable ? Settings.Mode.ToString().ToLowerInvariant() : "fifo", RingSize = Settings.RingSize,
                StartedAt = DateTimeOffset.UtcNow,
            },
            rendezvous.WhileNamesOwned, warning => _log.Warning(warning));
        var promise = new TaskCompletionSource<IAssociationEventListener>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = promise.Task.ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully)
                return;
            networkPromise?.TrySetResult(t.Result); // network handles reach Akka untouched: no tax on remote peers
            ReleaseHeldInbound(t.Result);
        }, TaskContinuationOptions.ExecuteSynchronously);
        if (_network == null)
            _log.Info("IPC transport listening on {0} (directory {1}, {2})", Display(_localAddress), rendezvous.Names.Directory,
                rendezvous.ShmAvailable ? "shared memory" : "FIFOs only");
        else
            _log.Info("IPC transport listening on {0} through {1}; co-located peers of directory {2} use {3} (endpoint {4})",
                Display(_localAddress), Settings.NetworkTransport, rendezvous.Names.Directory,
                rendezvous.ShmAvailable ? "shared memory" : "FIFOs", rendezvous.Port);
        return (_localAddress, promise);
    }

    /// <inheritdoc />
    public override bool IsResponsibleFor(Address remote) => _network?.IsResponsibleFor(remote) ?? true;

    /// <inheritdoc />
    public override async Task<AssociationHandle> Associate(Address remoteAddress)
    {
        var rendezvous = _rendezvous ?? throw new InvalidOperationException("Associate called before Listen");
        ThrowIfHeldOff(remoteAddress);
        if (_network != null)
            return await AssociateRouted(rendezvous, _network, remoteAddress).ConfigureAwait(false);
        if (remoteAddress.Port is not int port || port is < 1 or > 65535)
            throw new InvalidAssociationException($"{remoteAddress} has no valid IPC port");
        IChannel channel;
        try
        {
            channel = await rendezvous.ConnectAsync(port, remoteAddress).ConfigureAwait(false);
        }
        // Expected conditions, logged by Akka.Remote every time its gate opens: one line that says everything,
        // no inner exception (and its stack) from us.
        catch (EndpointNotFoundException e)
        {
            IpcMeter.ConnectFailed(System.Name, "not-found");
            throw new InvalidAssociationException($"Cannot associate with {Display(remoteAddress)}: {e.Message}");
        }
        catch (EndpointMismatchException e)
        {
            IpcMeter.ConnectFailed(System.Name, "mismatch");
            throw new InvalidAssociationException(
                $"{Display(remoteAddress)} does not match the endpoint listening there: {e.Message}, so its address is " +
                $"{Display(e.Advertised)}. Use that address (or change akka.remote.ipc.hostname or the system name there).");
        }
        catch (TimeoutException)
        {
            IpcMeter.ConnectFailed(System.Name, "timeout");
            throw;
        }
        catch (IOException e) when (e is not IpcSystemException)
        {
            IpcMeter.ConnectFailed(System.Name, "refused");
            // The listener refused (its reason says why: mode, ring-size, maximum-frame-size) or went away mid-handshake.
            throw new InvalidAssociationException($"Cannot associate with {Display(remoteAddress)}: {e.Message}");
        }
        return NewHandle(remoteAddress, channel, inbound: false);
    }

    /// <summary>The handle Akka gets for an IPC channel, counted in the <see cref="IpcMeter"/> until it ends.</summary>
    private IpcAssociationHandle NewHandle(Address remote, IChannel channel, bool inbound)
    {
        var counters = IpcMeter.Track(System.Name, channel, inbound);
        _stats?.Track(channel, counters, remote.Protocol.StartsWith("akka.", StringComparison.Ordinal) ? remote : remote.WithProtocol("akka." + remote.Protocol), inbound);
        return new IpcAssociationHandle(_localAddress!, remote, channel, Settings.WireFrameLimit, _log, counters);
    }

    /// <summary>
    /// Hybrid: a peer that advertises <paramref name="remoteAddress"/> in this directory is reached over IPC; any
    /// other through the network transport. A co-located peer that cannot be reached over IPC (it died a moment ago,
    /// or refuses: different ring-size or frame limit) is reached through the network too, with a warning when it
    /// refused — it is still a peer, and the network is how it would be reached without us.
    /// </summary>
    private async Task<AssociationHandle> AssociateRouted(Rendezvous rendezvous, Akka.Remote.Transport.Transport network, Address remoteAddress)
    {
        var shortcut = await TryShortcut(rendezvous, remoteAddress).ConfigureAwait(false);
        if (shortcut != null)
            return shortcut;
        var handle = await network.Associate(remoteAddress).ConfigureAwait(false);
        if (!_restartingPeers.DiedRecently(remoteAddress))
            return handle;
        // It answers on the network again: a restart on the same address, which advertises itself in the directory
        // a moment after its network listener is up. Wait for that, briefly, rather than keep it on the network.
        long deadline = Environment.TickCount64 + (long)RestartingPeers.Patience.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            await Task.Delay(20).ConfigureAwait(false);
            shortcut = await TryShortcut(rendezvous, remoteAddress).ConfigureAwait(false);
            if (shortcut == null)
                continue;
#pragma warning disable CS0618 // the SPI's Disassociate: Akka has not seen this handle yet
            handle.Disassociate();
#pragma warning restore CS0618
            return shortcut;
        }
        return handle;
    }

    /// <summary>
    /// Within a second of a co-located peer's certain death its address is not associated with at all, in either mode
    /// (<see cref="RestartingPeers"/> says why): the attempt fails, Akka.Remote gates the address, and a restarted
    /// incarnation can associate with this node meanwhile.
    /// </summary>
    private void ThrowIfHeldOff(Address remoteAddress)
    {
        if (!_restartingPeers.InHoldOff(remoteAddress, out var ago))
            return;
        IpcMeter.ConnectFailed(System.Name, "held-off");
        throw new InvalidAssociationException(
            $"Not associating with {Display(remoteAddress)} yet: the co-located peer at that address died {ago.TotalMilliseconds:F0} ms ago "
            + $"(its IPC endpoint lock was released), and associations to it resume {RestartingPeers.HoldOff.TotalMilliseconds:F0} ms after "
            + "its death. A restarted incarnation can associate with this node meanwhile.");
    }

    /// <summary>The shortcut to the live endpoint advertising <paramref name="remoteAddress"/>, or null (none, or unreachable).</summary>
    private async Task<AssociationHandle?> TryShortcut(Rendezvous rendezvous, Address remoteAddress)
    {
        int? port = AdvertisedEndpoints.Find(rendezvous.Names, remoteAddress, rendezvous.Port, out string? ambiguity);
        if (ambiguity != null)
            _log.Warning("{0} is ambiguous ({1}); associating through {2}", Display(remoteAddress), ambiguity, Settings.NetworkTransport);
        if (port is int ipcPort)
        {
            try
            {
                var channel = await rendezvous.ConnectAsync(ipcPort, remoteAddress).ConfigureAwait(false);
                _log.Debug("Associated with {0} over IPC endpoint {1} ({2})", Display(remoteAddress), ipcPort, channel.GetType().Name);
                return NewHandle(remoteAddress, channel, inbound: false);
            }
            catch (EndpointNotFoundException e)
            {
                _log.Debug("{0} left IPC endpoint {1} ({2}); associating through {3}", Display(remoteAddress), ipcPort, e.Message, Settings.NetworkTransport);
            }
            catch (Exception e) when (e is IOException or TimeoutException or EndpointMismatchException && e is not IpcSystemException)
            {
                _log.Warning("The co-located {0} cannot be reached over IPC ({1}); associating through {2}",
                    Display(remoteAddress), e.Message, Settings.NetworkTransport);
            }
        }
        return null;
    }

    /// <summary>An address as users write it: Akka.Remote hands the transport addresses without the <c>akka.</c> prefix.</summary>
    private static string Display(Address address) =>
        address.Protocol.StartsWith("akka.", StringComparison.Ordinal) ? address.ToString() : "akka." + address;

    /// <summary>
    /// A co-located peer this transport was associated with is gone for certain (its endpoint lock was released):
    /// tell the event stream, where the certain-death reactions and any user code pick it up.
    /// </summary>
    private void OnPeerDead(EndpointIdentity peer)
    {
        _restartingPeers.Died(peer.Address);
        var address = peer.Address.WithProtocol("akka." + peer.Address.Protocol);
        _log.Info("Co-located peer {0} (uid {1}) is gone: its IPC endpoint lock was released", address, peer.Uid);
        System.EventStream.Publish(new PeerEndpointTerminated(address, peer.Uid));
    }

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
            return _network == null || await _network.Shutdown().ConfigureAwait(false);
        var networkShutdown = _network?.Shutdown() ?? Task.FromResult(true);
        try
        {
            bool flushed = await rendezvous.CloseAllAsync(DisassociateGrace, Settings.FlushTimeout + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            if (!flushed)
                _log.Warning("IPC transport {0} shut down with frames still queued after flush-timeout = {1}; they were dropped",
                    _localAddress, Settings.FlushTimeout);
            return await networkShutdown.ConfigureAwait(false) && flushed;
        }
        finally
        {
            _stats?.Dispose();
            rendezvous.Dispose();
            _receiverMetrics?.Dispose();
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
        // The address the peer advertises: the one its Akka handshake will carry, and the one Akka knows it by.
        var handle = NewHandle(offer.Peer.Address, offer.Channel, inbound: true);
        listener.Notify(new InboundAssociation(handle));
    }
}
