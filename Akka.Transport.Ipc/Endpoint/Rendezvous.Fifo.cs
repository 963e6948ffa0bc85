using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>The FIFO half of the rendezvous: offering and accepting FIFO pairs.</summary>
internal sealed partial class Rendezvous
{
    /// <summary>The kernel's default pipe buffer is 64 KiB; ask for the ring size (capped by pipe-max-size).</summary>
    private int PipeSize => Math.Min(_settings.RingSize, 1 << 20);

    private FifoChannel OfferFifos(long id)
    {
        var handshake = FifoHandshake.Create(Names.ClientToServer(Port, id), Names.ServerToClient(Port, id));
        try
        {
            return FifoChannel.Connect(_pollLoop!, handshake.OpenReadEnd(), handshake, _settings.WireFrameLimit,
                _settings.SendQueueLimit, _settings.FlushTimeout, PipeSize);
        }
        catch
        {
            handshake.RemoveFiles();
            throw;
        }
    }

    /// <summary>Poll thread: opens the offered FIFO pair, checks it, and answers.</summary>
    private FifoChannel? AcceptFifos(ConnectRequest request)
    {
        int port = request.ClientPort;
        // O_NOFOLLOW: the peer names these paths; a planted link is refused, never written through.
        var write = Posix.TryOpen(Names.ServerToClient(port, request.AssociationId), LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, out int errno);
        if (write == null)
        {
            _onWarning($"Ignored a FIFO connection from port {port} (pid {request.ClientPid}): {LibC.Describe(errno)}");
            return null;
        }
        var read = Posix.TryOpen(Names.ClientToServer(port, request.AssociationId), LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW, out errno);
        string? refusal =
            IsClosing ? ShuttingDown
            : _settings.Mode == IpcMode.Shm ? "this endpoint runs with mode = shm and does not accept FIFO associations"
            : request.SettingsMismatch(_settings.RingSize, _settings.WireFrameLimit, IpcSettings.EnvelopeHeadroom) is { } mismatch ? mismatch
            : read == null ? "cannot open the client-to-server FIFO: " + LibC.Describe(errno)
            : !IsOwnFifo(read, Names.ClientToServer(port, request.AssociationId)) || !IsOwnFifo(write, Names.ServerToClient(port, request.AssociationId))
                ? $"the offered FIFOs are not FIFOs owned by uid {Posix.Uid}"
            : null;
        if (refusal != null)
        {
            _onWarning($"Refused a FIFO connection from port {port} (pid {request.ClientPid}): {refusal}");
            FifoHandshake.WriteAnswer(write, refusal);
            write.Dispose();
            read?.Dispose();
            return null;
        }
        FifoHandshake.WriteAnswer(write, refusal: null);
        return FifoChannel.Accept(_pollLoop!, read!, write, _settings.WireFrameLimit, _settings.SendQueueLimit,
            _settings.FlushTimeout, PipeSize);
    }

    private static bool IsOwnFifo(FileDescriptor fd, string path)
    {
        var (uid, _, _) = Posix.Describe(fd, path);
        return uid == Posix.Uid && Posix.IsFifo(fd);
    }
}
