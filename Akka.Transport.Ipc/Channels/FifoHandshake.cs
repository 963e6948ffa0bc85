using System.Buffers.Binary;
using System.Text;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The two FIFOs of a FIFO association, created by the connecting side, and the listener's answer, which is
/// the first thing it writes on the server-to-client FIFO (one write, far below PIPE_BUF, so never split):
/// <code>
///  0 magic int "FIFO" · 4 status int (1 accepted, 2 refused) · 8 reason length int · 12 reason UTF-8
/// </code>
/// The client opens its write end only after reading "accepted" (the listener then holds the read end), and
/// both names are unlinked as soon as both sides hold their descriptors.
/// </summary>
internal sealed class FifoHandshake
{
    private const int Magic = 0x4F464946;
    private const int AcceptedStatus = 1;
    private const int RefusedStatus = 2;
    private const int AnswerHeader = 12;
    private const int MaxReason = 1024;

    private FifoHandshake(string clientToServer, string serverToClient)
    {
        ClientToServer = clientToServer;
        ServerToClient = serverToClient;
    }

    public string ClientToServer { get; }

    public string ServerToClient { get; }

    /// <summary>Creates both FIFOs (0600) at the given paths (the endpoint names them).</summary>
    public static FifoHandshake Create(string clientToServer, string serverToClient)
    {
        var handshake = new FifoHandshake(clientToServer, serverToClient);
        try
        {
            Posix.MakeFifo(handshake.ClientToServer);
            Posix.MakeFifo(handshake.ServerToClient);
            return handshake;
        }
        catch
        {
            handshake.RemoveFiles();
            throw;
        }
    }

    // O_NOFOLLOW: the names live in a shared directory; a link planted there is refused, never followed.
    public FileDescriptor OpenReadEnd() => Posix.Open(ServerToClient, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW);

    public FileDescriptor OpenWriteEnd() => Posix.Open(ClientToServer, LibC.O_WRONLY | LibC.O_NONBLOCK | LibC.O_NOFOLLOW);

    public void RemoveFiles()
    {
        Posix.Unlink(ClientToServer);
        Posix.Unlink(ServerToClient);
    }

    /// <summary>Reads the listener's answer: null = accepted, otherwise the refusal (or what went wrong).</summary>
    public unsafe string? ReadAnswer(FileDescriptor read, out bool waiting)
    {
        waiting = false;
        byte* header = stackalloc byte[AnswerHeader];
        nint got = ReadSome(read, header, AnswerHeader);
        if (got < 0 && LibC.Errno == Errno.EAGAIN)
        {
            waiting = true;
            return null;
        }
        if (got != AnswerHeader)
            return got == 0 ? "the listener closed the connection without answering" : "the listener's answer was cut short";
        var span = new ReadOnlySpan<byte>(header, AnswerHeader);
        if (BinaryPrimitives.ReadInt32LittleEndian(span) != Magic)
            return "the listener's answer is not a FIFO handshake";
        int status = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(4));
        if (status == AcceptedStatus)
            return null;
        int length = Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(span.Slice(8)), 0, MaxReason);
        var reason = new byte[length];
        fixed (byte* p = reason)
            got = ReadSome(read, p, length);
        return "the listener refused: " + Encoding.UTF8.GetString(reason, 0, (int)Math.Max(0, got));
    }

    /// <summary>The listener's side: writes the answer in one atomic write.</summary>
    public static unsafe bool WriteAnswer(FileDescriptor write, string? refusal)
    {
        var reason = Encoding.UTF8.GetBytes(refusal ?? "");
        int length = Math.Min(reason.Length, MaxReason);
        var answer = new byte[AnswerHeader + length];
        BinaryPrimitives.WriteInt32LittleEndian(answer, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(answer.AsSpan(4), refusal == null ? AcceptedStatus : RefusedStatus);
        BinaryPrimitives.WriteInt32LittleEndian(answer.AsSpan(8), length);
        reason.AsSpan(0, length).CopyTo(answer.AsSpan(AnswerHeader));
        fixed (byte* p = answer)
            return LibC.Write(write.Fd, p, answer.Length) == answer.Length;
    }

    private static unsafe nint ReadSome(FileDescriptor fd, byte* buffer, int count)
    {
        while (true)
        {
            nint got = LibC.Read(fd.Fd, buffer, count);
            if (got >= 0 || LibC.Errno != Errno.EINTR)
                return got;
        }
    }
}
