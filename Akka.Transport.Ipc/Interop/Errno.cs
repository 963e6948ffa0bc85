namespace Akka.Transport.Ipc.Interop;

/// <summary>The errno values the transport reacts to (Linux numbering).</summary>
internal static class Errno
{
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int ENOSPC = 28;
    public const int EPIPE = 32;
    public const int ETIMEDOUT = 110;
}
