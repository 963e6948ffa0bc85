using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

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
            return (doorbell, new ShmReceiver(doorbell, $"ipc-rings-{Port}", onError));
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

    private ShmChannel OfferSegment(int port, long id, NamedSemaphore peerDoorbell)
    {
        ShmSegment? segment = null;
        FileDescriptor? life = null;
        try
        {
            life = Posix.TryOpen(Names.Life(port), LibC.O_RDONLY | LibC.O_NONBLOCK, out _)
                ?? throw new EndpointNotFoundException($"No IPC endpoint lives on port {port} in '{Names.Directory}'");
            segment = ShmSegment.Create(Names.Segment(Port, id), _settings.RingSize, _settings.WireFrameLimit, Port);
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
        string? refusal =
            ringSize != _settings.RingSize ? $"ring-size {ringSize} differs from this endpoint's {_settings.RingSize}"
            : maxFrame != _settings.WireFrameLimit ? $"maximum-frame-size differs (wire limit {maxFrame} vs {_settings.WireFrameLimit})"
            : null;
        var peerDoorbell = NamedSemaphore.TryOpen(Names.Doorbell(port), out _);
        var life = Posix.TryOpen(Names.Life(port), LibC.O_RDONLY | LibC.O_NONBLOCK, out _);
        if (refusal == null && (peerDoorbell == null || life == null))
            refusal = "the connecting endpoint is gone";
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

    private ShmChannel NewShmChannel(ShmSegment segment, bool isClient, int peerPort, NamedSemaphore peerDoorbell, FileDescriptor peerLife)
    {
        var channel = new ShmChannel(segment, isClient, peerPort, peerDoorbell, _doorbell!, _pollLoop!,
            _settings.WireFrameLimit, _settings.SendQueueLimit, _settings.FlushTimeout);
        channel.PeerLife = _pollLoop!.Watch(peerLife, new PeerLifeHandler(channel, peerPort));
        _receiver!.Add(channel);
        return channel;
    }
}
