using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// Reads connect requests from the endpoint's accept FIFO (on the poll thread), validates the offered segment
/// before trusting any of it, and accepts or refuses it.
/// </summary>
internal sealed unsafe class AcceptHandler : IPollHandler
{
    private readonly Rendezvous _endpoint;
    private readonly Action<InboundOffer> _onInbound;
    private readonly Action<string> _onWarning;
    private readonly byte[] _buffer = new byte[ConnectRequest.Length * 64];

    public AcceptHandler(Rendezvous endpoint, Action<InboundOffer> onInbound, Action<string> onWarning)
    {
        _endpoint = endpoint;
        _onInbound = onInbound;
        _onWarning = onWarning;
    }

    /// <summary>The descriptor is held here to read from; the poll loop passes only events.</summary>
    public FileDescriptor? Fd { get; set; }

    public bool OnReady(short events)
    {
        var fd = Fd!;
        while (true)
        {
            nint read;
            fixed (byte* p = _buffer)
                read = LibC.Read(fd.Fd, p, _buffer.Length);
            if (read < 0 && LibC.Errno == Errno.EINTR)
                continue;
            if (read <= 0)
                return true; // EAGAIN: drained. We hold a writer ourselves, so there is never EOF.
            for (int offset = 0; offset + ConnectRequest.Length <= read; offset += ConnectRequest.Length)
                Accept(_buffer.AsSpan(offset, ConnectRequest.Length));
        }
    }

    private void Accept(ReadOnlySpan<byte> record)
    {
        var request = ConnectRequest.TryRead(record, out string? error);
        if (request == null)
        {
            _onWarning($"Ignored a malformed connect request on port {_endpoint.Port}: {error}");
            return;
        }
        var (port, id, pid) = request.Value;
        var names = _endpoint.Names;
        ShmSegment segment;
        try
        {
            segment = ShmSegment.Open(names.Segment(port, id), port);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            _onWarning($"Refused a connection from port {port} (pid {pid}): {e.Message}");
            return;
        }

        var settings = _endpoint.Settings;
        int ringSize = segment.RingCapacity;
        int maxFrame = segment.Int(SegmentLayout.MaxFrameOffset);
        string? refusal =
            ringSize != settings.RingSize ? $"ring-size {ringSize} differs from this endpoint's {settings.RingSize}"
            : maxFrame != settings.WireFrameLimit ? $"maximum-frame-size differs (wire limit {maxFrame} vs {settings.WireFrameLimit})"
            : null;
        var peerDoorbell = NamedSemaphore.TryOpen(names.Doorbell(port), out _);
        var life = Posix.TryOpen(names.Life(port), LibC.O_RDONLY | LibC.O_NONBLOCK, out _);
        if (refusal == null && (peerDoorbell == null || life == null))
            refusal = "the connecting endpoint is gone";
        if (refusal != null)
        {
            _onWarning($"Refused a connection from port {port} (pid {pid}): {refusal}");
            segment.WriteText(SegmentLayout.RefusalOffset, SegmentLayout.ReasonField, refusal);
            segment.WriteVolatile(SegmentLayout.StateOffset, SegmentLayout.Refused);
            peerDoorbell?.Post();
            peerDoorbell?.Dispose();
            life?.Dispose();
            segment.Dispose();
            return;
        }

        // Mapped on both sides now: the file is no longer needed and nothing is left behind if both crash.
        Posix.Unlink(segment.Path);
        segment.Int(SegmentLayout.ServerPortOffset) = _endpoint.Port;
        segment.Int(SegmentLayout.ServerPidOffset) = LibC.GetPid();
        string system = segment.ReadText(SegmentLayout.ClientSystemOffset, SegmentLayout.NameField);
        string host = segment.ReadText(SegmentLayout.ClientHostOffset, SegmentLayout.NameField);
        segment.WriteVolatile(SegmentLayout.StateOffset, SegmentLayout.Accepted);
        peerDoorbell!.Post();
        // From here the receiver thread owns the segment: this thread touches it no more.
        var channel = _endpoint.NewChannel(segment, isClient: false, port, peerDoorbell, life!);
        _onInbound(new InboundOffer(channel, system, host, port));
    }
}
