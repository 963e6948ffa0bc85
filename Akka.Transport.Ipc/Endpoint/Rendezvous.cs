using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// A listening endpoint: owns its port (lock), accept FIFO, life FIFO and, when shared memory is usable, its
/// doorbell and receiver thread; runs the poll thread (accepts, FIFO channels, peer deaths). Connects to other
/// endpoints by offering a segment (shm) or a FIFO pair through their accept FIFO.
/// Shared-memory and FIFO specifics live in the other parts of this class.
/// </summary>
internal sealed partial class Rendezvous : IDisposable
{
    private readonly IpcSettings _settings;
    private readonly EndpointLock _lock;
    private readonly FileDescriptor? _life;
    private readonly NamedSemaphore? _doorbell;
    private readonly PollLoop? _pollLoop;
    private readonly ShmReceiver? _receiver;
    private readonly Action<InboundOffer> _onInbound;
    private readonly Action<string> _onWarning;
    private readonly Action? _onFallback;
    private readonly List<IChannel> _channels = new();
    private readonly PeerDeaths _peerDeaths;
    private readonly SegmentFallback _segmentFallback = new();
    private readonly object _namesLock = new();
    private bool _namesReleased; // guarded by _namesLock
    private long _nextAssociationId;
    private int _disposed;
    private volatile bool _closing;

    /// <summary>The refusal a peer gets while this endpoint shuts down.</summary>
    private const string ShuttingDown = "the endpoint is shutting down";

    private Rendezvous(IpcSettings settings, EndpointIdentity identity, ChannelNames names, EndpointLock endpointLock,
        EndpointEvents events)
    {
        _settings = settings;
        Identity = identity;
        Names = names;
        _lock = endpointLock;
        _onInbound = events.Inbound;
        _onWarning = events.Warning;
        _onFallback = events.FellBackToFifo;
        var onError = events.Error;
        _peerDeaths = new PeerDeaths(names, events.PeerDead);
        Port = ChannelNames.PortOf(Path.GetFileName(endpointLock.Path))!.Value;
        FileDescriptor? accept = null;
        bool acceptCreated = false;
        try
        {
            _life = CreateFifo(names.Life(Port));
            // The doorbell first: a connector that can open the accept FIFO takes a missing doorbell for "this
            // endpoint serves FIFOs only", and an association offered in that gap would run over FIFOs for life.
            if (settings.Mode != IpcMode.Fifo)
                (_doorbell, _receiver) = StartSharedMemory(onError);
            accept = CreateFifo(names.Accept(Port));
            acceptCreated = true;
            _pollLoop = new PollLoop($"ipc-poll-{Port}", onError);
            _pollLoop.Watch(accept, new AcceptHandler(this, _onWarning));
            accept = null; // the poll loop owns (and closes) it from here
        }
        catch
        {
            AbandonStart(accept, acceptCreated);
            throw;
        }
    }

    public int Port { get; }

    /// <summary>The address and UID this endpoint advertises (in its lock file and its connect requests).</summary>
    public EndpointIdentity Identity { get; }

    public ChannelNames Names { get; }

    /// <summary>True when this endpoint serves shared-memory associations (else FIFOs only).</summary>
    public bool ShmAvailable => _doorbell != null;

    /// <summary>How many times the shared-memory receiver thread blocked idle (0 without one): a metric.</summary>
    public long ReceiverSleeps => _receiver?.Sleeps ?? 0;

    /// <summary>The shared-memory receiver thread's CPU by phase (<c>receiver-profile = on</c>), else null.</summary>
    public ReceiverProfile? ReceiverProfile => _receiver?.Profile;

    internal IpcSettings Settings => _settings;

    /// <summary>
    /// Prepares the directory, sweeps dead endpoints, claims <paramref name="port"/> (0: a free one) and starts
    /// serving it, advertising <paramref name="identityOf"/> the port claimed.
    /// </summary>
    public static Rendezvous Listen(IpcSettings settings, int port, Func<int, EndpointIdentity> identityOf, EndpointEvents events)
    {
        var names = new ChannelNames(settings.ResolvedDirectory, settings.ResolvedShmDirectory);
        var endpointLock = PrepareAndClaim(names, port, p => identityOf(p).ToLockInfo());
        EndpointIdentity identity;
        try
        {
            int claimed = ChannelNames.PortOf(Path.GetFileName(endpointLock.Path))!.Value;
            identity = identityOf(claimed);
            EndpointDirectory.SweepDeadEndpoints(names, claimed);
        }
        catch
        {
            endpointLock.Dispose();
            throw;
        }
        // From here the constructor owns the lock: it releases it itself when the start fails (exactly once).
        return new Rendezvous(settings, identity, names, endpointLock, events);
    }

    /// <summary>
    /// Creates the directory if needed and claims the port. The default directory is removed by the last endpoint
    /// leaving it, possibly between those two steps: then start over.
    /// </summary>
    private static EndpointLock PrepareAndClaim(ChannelNames names, int port, Func<int, string> lockInfo)
    {
        for (int attempt = 1; ; attempt++)
        {
            EndpointDirectory.Prepare(names.Directory, "directory");
            try
            {
                return EndpointDirectory.Claim(names, port, lockInfo);
            }
            catch (Akka.Configuration.ConfigurationException) when (attempt < 5 && !System.IO.Directory.Exists(names.Directory))
            {
            }
        }
    }

    /// <summary>
    /// Creates one of the endpoint's FIFOs and opens it read-write (so it never reports EOF). A name that is taken
    /// (e.g. by a directory) fails the start naming the path; nothing that was there is touched.
    /// </summary>
    private FileDescriptor CreateFifo(string path)
    {
        try
        {
            Posix.MakeFifo(path);
        }
        catch (IpcSystemException e)
        {
            throw IpcSettings.Invalid("directory", Names.Directory, "is not usable: " + e.Message);
        }
        try
        {
            return Posix.Open(path, LibC.O_RDWR | LibC.O_NONBLOCK);
        }
        catch
        {
            Posix.Unlink(path);
            throw;
        }
    }

    /// <summary>
    /// A start failed part-way: releases what the constructor acquired, removes only the names it created, and
    /// disposes the lock (the one and only time: <see cref="Listen"/> no longer owns it).
    /// </summary>
    private void AbandonStart(FileDescriptor? unwatchedAccept, bool acceptCreated)
    {
        _disposed = 1;
        _receiver?.Stop("the endpoint failed to start");
        _pollLoop?.Dispose();
        unwatchedAccept?.Dispose();
        _doorbell?.Dispose();
        if (acceptCreated)
            Posix.Unlink(Names.Accept(Port));
        if (_life != null)
        {
            Posix.Unlink(Names.Life(Port));
            _life.Dispose();
        }
        _lock.Dispose();
        if (_settings.Directory.Length == 0)
            EndpointDirectory.RemoveIfEmpty(Names.Directory);
    }

    /// <summary>
    /// Offers an association to the endpoint at <paramref name="port"/> — over shared memory when both sides can
    /// use it, over FIFOs otherwise — and waits (up to connection-timeout) for it to accept. The endpoint must be
    /// the one asked for: the one advertising <paramref name="expected"/> (transport level).
    /// </summary>
    /// <exception cref="EndpointNotFoundException">Nobody listens there, or the modes cannot meet.</exception>
    /// <exception cref="EndpointMismatchException">The endpoint there advertises another address.</exception>
    /// <exception cref="IOException">This endpoint is shutting down.</exception>
    public async Task<IChannel> ConnectAsync(int port, Akka.Actor.Address expected)
    {
        if (IsClosing)
            throw new IOException($"Cannot associate with port {port}: IPC endpoint {Port} is shut down");
        using var accept = Posix.TryOpen(Names.Accept(port), LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, out int errno);
        if (accept == null)
            throw new EndpointNotFoundException(errno is Errno.ENOENT or Errno.ENXIO
                ? $"No IPC endpoint listens on port {port} in '{Names.Directory}'"
                : $"Cannot reach port {port} in '{Names.Directory}': {LibC.Describe(errno)}");

        string? info = EndpointLock.ReadInfo(Names.Lock(port));
        if (info != null && EndpointDirectory.ProtocolOf(info) is int version && version != SegmentLayout.Version)
            throw new EndpointNotFoundException($"The IPC endpoint on port {port} speaks protocol version {version}; this side speaks {SegmentLayout.Version}");
        // Checked here, before anything is created: the listener would accept, and Akka.Remote then drops every
        // message as "for non-local recipient" while the sender only sees time-outs.
        var peer = info != null ? EndpointIdentity.FromLockInfo(info) : null;
        if (peer != null && !peer.Advertises(expected))
            throw new EndpointMismatchException(port, Names.Directory, peer.Address);

        long id = Interlocked.Increment(ref _nextAssociationId);
        var peerDoorbell = ShmAvailable ? NamedSemaphore.TryOpen(Names.Doorbell(port), out _) : null;
        if (peerDoorbell == null && _settings.Mode == IpcMode.Shm)
            throw new EndpointNotFoundException($"The IPC endpoint on port {port} does not offer shared memory (it runs with mode = fifo, or shared memory is unusable there) and this side's mode = shm");

        // mode = auto: an association whose segment cannot be created (full shm-directory) runs over FIFOs.
        IChannel? channel = peerDoorbell != null ? OfferSegment(port, id, peerDoorbell) : null;
        var mode = channel != null ? ChannelMode.Shm : ChannelMode.Fifo;
        channel ??= OfferFifos(id);
        Track(channel, port, peer);
        try
        {
            var self = Identity.Address;
            var request = new ConnectRequest(Port, id, LibC.GetPid(), mode, self.System, self.Host!, Names.ShmDirectory,
                _settings.RingSize, _settings.WireFrameLimit, Identity.Uid, self.Protocol, self.Port!.Value);
            await SendRequestAsync(accept, port, request).ConfigureAwait(false);
            await channel.Accepted.WaitAsync(_settings.ConnectionTimeout).ConfigureAwait(false);
            return channel;
        }
        catch (TimeoutException)
        {
            channel.RequestClose();
            throw new TimeoutException($"The IPC endpoint on port {port} did not accept within {_settings.ConnectionTimeout}");
        }
        catch
        {
            channel.RequestClose();
            throw;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="grace"/> for the channels to be closed by their owners (Akka.Remote disassociates
    /// each handle after writing its Disassociate PDU, possibly after asking the transport to shut down), then asks
    /// the rest to flush and close, waiting up to <paramref name="flush"/>.
    /// </summary>
    /// <returns>
    /// true when every channel open at the call closed in time with every frame it accepted sent; false when a
    /// flush timed out (frames still queued were dropped) or a channel did not close within the wait.
    /// </returns>
    public async Task<bool> CloseAllAsync(TimeSpan grace, TimeSpan flush)
    {
        _closing = true; // no new associations from here on, either way
        _peerDeaths.Stop(); // the associations ending from here on are this side's doing
        UnlinkWhileOwned(Names.Accept(Port));
        var completions = new HashSet<Task<bool>>(Completions());
        await WhenAllClosed(grace).ConfigureAwait(false);
        IChannel[] channels;
        lock (_channels)
            channels = _channels.ToArray();
        foreach (var channel in channels)
        {
            completions.Add(channel.Completion);
            channel.RequestClose();
        }
        bool inTime = await WhenAllClosed(flush).ConfigureAwait(false);
        return inTime && completions.All(c => c.IsCompletedSuccessfully && c.Result);
    }

    private Task<bool>[] Completions()
    {
        lock (_channels)
            return _channels.Select(c => c.Completion).ToArray();
    }

    /// <summary>Waits up to <paramref name="timeout"/> for every tracked channel to close; false if time ran out.</summary>
    private Task<bool> WhenAllClosed(TimeSpan timeout) =>
        Task.WhenAll(Completions()).WaitAsync(timeout).ContinueWith(t => !t.IsFaulted && !t.IsCanceled, TaskScheduler.Default);

    /// <summary>True once shutdown began: connects fail at once and connect requests are refused.</summary>
    private bool IsClosing => _closing;

    /// <summary>
    /// Stops both threads and removes every name this endpoint created. Idempotent. Accepting stops first; a
    /// channel created by an accept or connect racing with this is closed by the stopped receiver or poll loop
    /// ("the transport shut down"), so every channel completes.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _closing = true;
        _peerDeaths.Stop();
        // Unlink the accept FIFO first so new connectors fail fast instead of waiting for a dead endpoint.
        UnlinkWhileOwned(Names.Accept(Port));
        _receiver?.Stop("the transport shut down");
        _pollLoop?.Dispose();
        ReleaseNames();
        EndpointExitHooks.Unregister(this);
        _doorbell?.Dispose();
        _life?.Dispose();
        _lock.Dispose();
    }

    /// <summary>
    /// Removes every name of this endpoint — accept and life FIFOs, offered segments and FIFO pairs, the doorbell
    /// semaphore, then the lock file — once, while the lock is still held. Called by <see cref="Dispose"/> and by
    /// <see cref="EndpointExitHooks"/> when the process leaves first (any thread, concurrently with Dispose).
    /// Descriptors, mappings and threads stay untouched: after this only the names are gone, and nothing of this
    /// endpoint removes a name again, so a new endpoint that claims the port meanwhile keeps its files.
    /// </summary>
    internal void ReleaseNames()
    {
        lock (_namesLock)
        {
            if (_namesReleased)
                return;
            _namesReleased = true;
            EndpointDirectory.RemoveNamesOf(Names, Port);
            _doorbell?.Disown(); // its name is gone: closing it later must not unlink a successor's
            _lock.ReleaseName();
            if (_settings.Directory.Length == 0)
                EndpointDirectory.RemoveIfEmpty(Names.Directory); // the default directory is ours to tidy; a configured one is not
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> (which creates or replaces one of this endpoint's names) unless
    /// <see cref="ReleaseNames"/> already gave them up, and so that it cannot run while they are being removed:
    /// nothing written through here outlives the endpoint. False when the names are gone.
    /// </summary>
    internal bool WhileNamesOwned(Action write)
    {
        lock (_namesLock)
        {
            if (_namesReleased)
                return false;
            write();
            return true;
        }
    }

    /// <summary>Unlinks one of this endpoint's names unless <see cref="ReleaseNames"/> already gave them up.</summary>
    private void UnlinkWhileOwned(string path)
    {
        lock (_namesLock)
            if (!_namesReleased)
                Posix.Unlink(path);
    }

    /// <summary>
    /// Remembers a channel until it completes, so shutdown can close it; when it completes, asks whether its peer
    /// (<paramref name="peer"/> on <paramref name="peerPort"/>, if it advertised itself) died.
    /// </summary>
    private void Track(IChannel channel, int peerPort, EndpointIdentity? peer)
    {
        lock (_channels)
            _channels.Add(channel);
        channel.Completion.ContinueWith(_ =>
        {
            lock (_channels)
                _channels.Remove(channel);
            if (peer != null && !_closing)
                _peerDeaths.AssociationEnded(peerPort, peer);
        }, TaskScheduler.Default);
    }

    /// <summary>Poll thread: a connect request arrived on the accept FIFO.</summary>
    internal void OnConnectRequest(ConnectRequest request)
    {
        IChannel? channel = request.Mode == ChannelMode.Shm ? AcceptSegment(request) : AcceptFifos(request);
        if (channel == null)
            return;
        var peer = new EndpointIdentity(new Akka.Actor.Address(request.Scheme, request.System, request.Host, request.AddressPort), request.Uid);
        Track(channel, request.ClientPort, peer);
        _onInbound(new InboundOffer(channel, peer));
    }

    private static async Task SendRequestAsync(FileDescriptor accept, int port, ConnectRequest request)
    {
        var buffer = new byte[ConnectRequest.Length];
        request.WriteTo(buffer);
        for (int attempt = 0; ; attempt++)
        {
            int errno = WriteRequest(accept, buffer);
            if (errno == 0)
                return;
            if (errno != Errno.EAGAIN || attempt > 1000)
                throw new EndpointNotFoundException($"Cannot send a connect request to port {port}: {LibC.Describe(errno)}");
            await Task.Delay(5).ConfigureAwait(false); // the accept FIFO is full: the listener is busy, not gone
        }
    }

    private static unsafe int WriteRequest(FileDescriptor accept, byte[] buffer)
    {
        while (true)
        {
            fixed (byte* p = buffer)
                if (LibC.Write(accept.Fd, p, buffer.Length) == buffer.Length)
                    return 0;
            int errno = LibC.Errno;
            if (errno != Errno.EINTR)
                return errno;
        }
    }
}
