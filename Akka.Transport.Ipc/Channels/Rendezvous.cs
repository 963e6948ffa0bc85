using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// A listening endpoint: owns its port (lock), its accept FIFO, its life FIFO and its doorbell, and runs the
/// poll thread (accepts, peer deaths) and the receiver thread (rings). Connects to other endpoints by offering
/// them a segment through their accept FIFO.
/// </summary>
internal sealed class Rendezvous : IDisposable
{
    private readonly IpcSettings _settings;
    private readonly string _systemName;
    private readonly EndpointLock _lock;
    private readonly FileDescriptor _life;
    private readonly NamedSemaphore _doorbell;
    private readonly PollLoop _pollLoop;
    private readonly ShmReceiver _receiver;
    private readonly AcceptHandler _acceptHandler;
    private long _nextSegmentId;
    private int _disposed;

    private Rendezvous(IpcSettings settings, string systemName, ChannelNames names, EndpointLock endpointLock,
        Action<InboundOffer> onInbound, Action<string> onWarning, Action<Exception> onError)
    {
        _settings = settings;
        _systemName = systemName;
        Names = names;
        _lock = endpointLock;
        Port = ChannelNames.PortOf(Path.GetFileName(endpointLock.Path))!.Value;
        try
        {
            Posix.MakeFifo(names.Life(Port));
            _life = Posix.Open(names.Life(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
            Posix.MakeFifo(names.Accept(Port));
            var accept = Posix.Open(names.Accept(Port), LibC.O_RDWR | LibC.O_NONBLOCK);
            _doorbell = NamedSemaphore.Create(names.Doorbell(Port));
            _pollLoop = new PollLoop($"ipc-poll-{Port}", onError);
            _receiver = new ShmReceiver(_doorbell, $"ipc-rings-{Port}", onError);
            _acceptHandler = new AcceptHandler(this, onInbound, onWarning) { Fd = accept };
            _pollLoop.Watch(accept, _acceptHandler);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Port { get; }

    public ChannelNames Names { get; }

    /// <summary>Channels still open on this endpoint.</summary>
    public int OpenChannels => _receiver.OpenChannels;

    /// <summary>Prepares the directory, sweeps dead endpoints, claims a port and starts serving it.</summary>
    public static Rendezvous Listen(IpcSettings settings, string systemName, Action<InboundOffer> onInbound,
        Action<string> onWarning, Action<Exception> onError)
    {
        var names = new ChannelNames(settings.ResolvedDirectory);
        EndpointDirectory.Prepare(names.Directory);
        var endpointLock = EndpointDirectory.Claim(names, settings.Port);
        try
        {
            int port = ChannelNames.PortOf(Path.GetFileName(endpointLock.Path))!.Value;
            EndpointDirectory.SweepDeadEndpoints(names, port);
            return new Rendezvous(settings, systemName, names, endpointLock, onInbound, onWarning, onError);
        }
        catch
        {
            endpointLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Offers an association to the endpoint at <paramref name="port"/> and waits (up to connection-timeout)
    /// for it to accept.
    /// </summary>
    /// <exception cref="EndpointNotFoundException">Nobody listens there.</exception>
    public async Task<ShmChannel> ConnectAsync(int port, string host)
    {
        using var accept = Posix.TryOpen(Names.Accept(port), LibC.O_WRONLY | LibC.O_NONBLOCK, out int errno);
        if (accept == null)
            throw new EndpointNotFoundException(errno is Errno.ENOENT or Errno.ENXIO
                ? $"No IPC endpoint listens on port {port} in '{Names.Directory}'"
                : $"Cannot reach port {port} in '{Names.Directory}': {LibC.Describe(errno)}");

        var channel = OfferSegment(port, host, out long segmentId);
        try
        {
            await SendRequestAsync(accept, port, new ConnectRequest(Port, segmentId, LibC.GetPid()));
            await channel.Accepted.WaitAsync(_settings.ConnectionTimeout);
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

    /// <summary>Asks every channel to flush and close; returns when all are closed or the timeout passed.</summary>
    public async Task CloseChannelsAsync(IEnumerable<ShmChannel> channels, TimeSpan timeout)
    {
        foreach (var channel in channels)
            channel.RequestClose();
        var deadline = DateTime.UtcNow + timeout;
        while (_receiver.OpenChannels > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }

    /// <summary>Stops both threads and removes every name this endpoint created. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        // Unlink the accept FIFO first so new connectors fail fast instead of waiting for a dead endpoint.
        Posix.Unlink(Names.Accept(Port));
        _receiver?.Stop("the transport shut down");
        _pollLoop?.Dispose();
        _doorbell?.Dispose();
        Posix.Unlink(Names.Life(Port));
        _life?.Dispose();
        _lock.Dispose();
    }

    private ShmChannel OfferSegment(int port, string host, out long segmentId)
    {
        var life = Posix.TryOpen(Names.Life(port), LibC.O_RDONLY | LibC.O_NONBLOCK, out _)
            ?? throw new EndpointNotFoundException($"No IPC endpoint lives on port {port} in '{Names.Directory}'");
        NamedSemaphore? peerDoorbell = null;
        ShmSegment? segment = null;
        try
        {
            peerDoorbell = NamedSemaphore.TryOpen(Names.Doorbell(port), out _)
                ?? throw new EndpointNotFoundException($"The IPC endpoint on port {port} has no doorbell (shutting down?)");
            segmentId = Interlocked.Increment(ref _nextSegmentId);
            segment = ShmSegment.Create(Names.Segment(Port, segmentId), _settings.RingSize, _settings.WireFrameLimit,
                Port, _systemName, _settings.Hostname);
            var channel = NewChannel(segment, isClient: true, port, peerDoorbell, life);
            return channel;
        }
        catch
        {
            segment?.Dispose();
            peerDoorbell?.Dispose();
            life.Dispose();
            throw;
        }
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
            await Task.Delay(5); // the listener's accept FIFO is full: it is busy, not gone
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

    internal ShmChannel NewChannel(ShmSegment segment, bool isClient, int peerPort, NamedSemaphore peerDoorbell, FileDescriptor peerLife)
    {
        var channel = new ShmChannel(segment, isClient, peerPort, peerDoorbell, _doorbell, peerLife, _pollLoop,
            _settings.WireFrameLimit, _settings.SendQueueLimit, _settings.FlushTimeout);
        _pollLoop.Watch(peerLife, new PeerLifeHandler(channel, peerPort));
        _receiver.Add(channel);
        return channel;
    }

    internal IpcSettings Settings => _settings;
}
