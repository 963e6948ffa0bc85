using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>The shared-memory half of the rendezvous: probing, offering and accepting segments.</summary>
internal sealed partial class Rendezvous
{
    /// <summary>
    /// Checks that a segment can be created and mapped in the shm directory and creates the doorbell. With
    /// mode = shm a failure stops the endpoint; with auto it is logged once and the endpoint serves FIFOs only.
    /// </summary>
    private (NamedSemaphore?, ShmReceiver?) StartSharedMemory(Action<Exception> onError)
    {
        NamedSemaphore? doorbell = null;
        try
        {
            if (Names.ShmDirectory != Names.Directory)
                EndpointDirectory.Prepare(Names.ShmDirectory, "shm-directory");
            using (ShmSegment.Create(Names.Segment(Port, 0), RingLayout.MinCapacity, 0, Port))
                Posix.Unlink(Names.Segment(Port, 0));
            doorbell = NamedSemaphore.Create(Names.Doorbell(Port));
            return (doorbell, new ShmReceiver(doorbell, $"ipc-rings-{Port}", onError, _settings.ReceiverPollTime,
                _settings.ReceiverProfile ? new ReceiverProfile() : null));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Akka.Configuration.ConfigurationException)
        {
            doorbell?.Dispose();
            if (_settings.Mode == IpcMode.Shm)
                throw IpcSettings.Invalid("mode", "shm", "shared memory is unusable here: " + e.Message);
            _onWarning($"Shared memory is unusable for IPC endpoint {Port} ({e.Message}); every association of this endpoint uses FIFOs (mode = auto).");
            return (null, null);
        }
    }

    /// <summary>
    /// Creates the association's segment (every page reserved) and the client's channel over it. When the segment
    /// cannot be created (a full or small shm-directory: ENOSPC, EFBIG, ...): with mode = auto returns null, and the
    /// caller offers FIFOs instead; with mode = shm throws an <see cref="EndpointNotFoundException"/> naming
    /// ring-size, shm-directory and the bytes needed and free, so Associate fails at once. Either way nothing of the
    /// segment is left behind, and <paramref name="peerDoorbell"/> is disposed unless a channel took it.
    /// </summary>
    /// <exception cref="EndpointNotFoundException">The peer is gone, or (mode = shm) no segment can be created.</exception>
    private ShmChannel? OfferSegment(int port, long id, NamedSemaphore peerDoorbell)
    {
        ShmSegment? segment = null;
        FileDescriptor? life = null;
        try
        {
            life = OpenPeerLife(port, out string? problem)
                ?? throw new EndpointNotFoundException($"No IPC endpoint lives on port {port} in '{Names.Directory}': {problem}");
            try
            {
                segment = ShmSegment.Create(Names.Segment(Port, id), _settings.RingSize, _settings.WireFrameLimit, Port);
            }
            catch (IOException e)
            {
                string shortage = DescribeShortage(e);
                if (_settings.Mode == IpcMode.Shm)
                    throw new EndpointNotFoundException($"Cannot associate with port {port} over shared memory (mode = shm): {shortage}. Lower ring-size, give shm-directory more room (e.g. docker run --shm-size), or use mode = auto to fall back to FIFOs");
                _segmentFallback.Report(e, shortage, Port, _onWarning);
                _onFallback?.Invoke();
                peerDoorbell.Dispose();
                life.Dispose();
                return null;
            }
            _segmentFallback.Recovered();
            return NewShmChannel(segment, isClient: true, port, peerDoorbell, life);
        }
        catch
        {
            segment?.Dispose();
            if (segment != null)
                Posix.Unlink(segment.Path);
            peerDoorbell.Dispose();
            life?.Dispose();
            throw;
        }
    }

    /// <summary>"a segment needs N bytes (ring-size = R) in shm-directory 'D', which has F bytes free (cause)".</summary>
    private string DescribeShortage(IOException cause)
    {
        long needed = SegmentLayout.TotalLength(_settings.RingSize);
        long? free = SegmentFallback.FreeBytes(Names.ShmDirectory);
        return $"a segment needs {needed} bytes (ring-size = {_settings.RingSize} bytes per direction) in shm-directory "
            + $"'{Names.ShmDirectory}', which has {(free is long f ? f.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of")} bytes free ({cause.Message})";
    }

    /// <summary>Poll thread: validates an offered segment before trusting any of it, then accepts or refuses.</summary>
    private ShmChannel? AcceptSegment(ConnectRequest request)
    {
        int port = request.ClientPort;
        string path = Names.Segment(request.ShmDirectory, port, request.AssociationId);
        if (!ShmAvailable)
        {
            _onWarning($"Ignored a shared-memory connection from port {port}: this endpoint serves FIFOs only");
            return null;
        }
        ShmSegment segment;
        try
        {
            segment = ShmSegment.Open(path, port);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            _onWarning($"Refused a connection from port {port} (pid {request.ClientPid}): {e.Message}");
            return null;
        }

        int ringSize = segment.RingCapacity;
        int maxFrame = segment.Int(SegmentLayout.MaxFrameOffset);
        // A failed reservation comes first: then only the header page is backed, and refusing touches nothing else.
        string? refusal =
            segment.ReservationFailure != null ? segment.ReservationFailure
            : IsClosing ? ShuttingDown
            : ringSize != _settings.RingSize ? $"ring-size {ringSize} differs from this endpoint's {_settings.RingSize}"
            : maxFrame != _settings.WireFrameLimit ? $"maximum-frame-size differs (wire limit {maxFrame} vs {_settings.WireFrameLimit})"
            : null;
        var peerDoorbell = NamedSemaphore.TryOpen(Names.Doorbell(port), out _);
        var life = OpenPeerLife(port, out string? lifeProblem);
        if (refusal == null && (peerDoorbell == null || life == null))
            refusal = "the connecting endpoint is gone: " + (lifeProblem ?? "its doorbell semaphore does not exist");
        if (refusal != null)
        {
            _onWarning($"Refused a connection from port {port} (pid {request.ClientPid}): {refusal}");
            segment.WriteText(SegmentLayout.RefusalOffset, SegmentLayout.ReasonField, refusal);
            segment.WriteVolatile(SegmentLayout.StateOffset, SegmentLayout.Refused);
            peerDoorbell?.Post();
            peerDoorbell?.Dispose();
            life?.Dispose();
            segment.Dispose();
            return null;
        }

        // Mapped on both sides now: the file is no longer needed and nothing is left behind if both crash.
        Posix.Unlink(segment.Path);
        segment.Int(SegmentLayout.ServerPortOffset) = Port;
        segment.Int(SegmentLayout.ServerPidOffset) = LibC.GetPid();
        segment.WriteVolatile(SegmentLayout.StateOffset, SegmentLayout.Accepted);
        peerDoorbell!.Post();
        // From here the receiver thread owns the segment: this thread touches it no more.
        return NewShmChannel(segment, isClient: false, port, peerDoorbell, life!);
    }

    /// <summary>
    /// Opens the life FIFO of the endpoint on <paramref name="port"/>, or returns null with the reason when it is not
    /// worth watching. A read-only open of a FIFO that has no writer at that moment never reports hang-up, so an
    /// endpoint that died before the open would never be noticed. An endpoint holds its life FIFO open from before
    /// its first request or accept until after it unlinked the name, and releases its port lock only after that;
    /// so when, after the open, its lock is still held and the FIFO is still the one in the directory, the FIFO
    /// had a writer when it was opened and its hang-up will come.
    /// </summary>
    private FileDescriptor? OpenPeerLife(int port, out string? problem)
    {
        string path = Names.Life(port);
        var life = Posix.TryOpen(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, out int errno);
        problem =
            life == null ? $"its life FIFO '{path}' cannot be opened: {LibC.Describe(errno)}"
            : !Posix.IsFifo(life) || !Posix.SameFile(life, path) ? $"'{path}' is not its life FIFO any more"
            : !Posix.IsLockHeld(Names.Lock(port)) ? $"endpoint {port} is dead (nobody holds '{Names.Lock(port)}')"
            : null;
        if (problem == null)
            return life;
        life?.Dispose();
        return null;
    }

    private ShmChannel NewShmChannel(ShmSegment segment, bool isClient, int peerPort, NamedSemaphore peerDoorbell, FileDescriptor peerLife)
    {
        var channel = new ShmChannel(segment, isClient, peerPort, peerDoorbell, _doorbell!, _pollLoop!,
            _settings.WireFrameLimit, _settings.SendQueueLimit, _settings.FlushTimeout);
        // Hang-up only (events 0): nobody reads a life FIFO, so a stray byte in it must not make poll return.
        channel.PeerLife = _pollLoop!.Watch(peerLife, new PeerLifeHandler(channel, peerPort), events: 0);
        _receiver!.Add(channel);
        return channel;
    }
}
