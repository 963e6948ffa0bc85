using System.Text;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Ownership of an endpoint: an exclusive flock on its lock file, held for the owner's lifetime. The kernel
/// drops it when the process dies, so "lock free" means "endpoint dead", whatever the pid says.
/// </summary>
internal sealed class EndpointLock : IDisposable
{
    private readonly FileDescriptor _fd;

    private EndpointLock(string path, FileDescriptor fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }

    /// <summary>
    /// Takes the lock, or returns null when a live process holds it. <paramref name="info"/> is written into the
    /// file for peers and people (e.g. pid and protocol version).
    /// </summary>
    public static unsafe EndpointLock? TryAcquire(string path, string info)
    {
        while (true)
        {
            var fd = Posix.Open(path, LibC.O_RDWR | LibC.O_CREAT);
            if (!TryLock(fd))
            {
                fd.Dispose();
                return null;
            }
            // Stale cleanup may have unlinked the file between our open and flock: then the lock guards nothing.
            if (!Posix.SameFile(fd, path))
            {
                fd.Dispose();
                continue;
            }
            byte[] text = Encoding.ASCII.GetBytes(info + "\n");
            LibC.FTruncate(fd.Fd, 0);
            fixed (byte* p = text)
                LibC.Write(fd.Fd, p, text.Length);
            return new EndpointLock(path, fd);
        }
    }

    /// <summary>
    /// Returns a guard when no live process holds the lock at <paramref name="path"/>, null otherwise. A missing
    /// file is created and locked too, so nobody can start on that port while the caller removes its debris;
    /// the caller unlinks the lock file before disposing the guard.
    /// </summary>
    public static IDisposable? TryClaimDead(string path)
    {
        var fd = Posix.TryOpen(path, LibC.O_RDWR | LibC.O_CREAT, out _);
        if (fd == null)
            return null;
        if (TryLock(fd))
            return fd;
        fd.Dispose();
        return null;
    }

    /// <summary>
    /// Reads what the holder wrote into a lock file (raw read: opening it through FileStream would take a
    /// shared flock and fail against the holder's exclusive one). Null when it cannot be read.
    /// </summary>
    public static unsafe string? ReadInfo(string path)
    {
        using var fd = Posix.TryOpen(path, LibC.O_RDONLY, out _);
        if (fd == null)
            return null;
        var buffer = new byte[256];
        nint read;
        fixed (byte* p = buffer)
            read = LibC.Read(fd.Fd, p, buffer.Length);
        return read > 0 ? Encoding.ASCII.GetString(buffer, 0, (int)read).Trim() : null;
    }

    /// <summary>Releases the endpoint, unlinking the file first so no one locks an orphaned inode.</summary>
    public void Dispose()
    {
        Posix.Unlink(Path);
        _fd.Dispose();
    }

    private static bool TryLock(FileDescriptor fd)
    {
        while (true)
        {
            if (LibC.Flock(fd.Fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
                return true;
            if (LibC.Errno != Errno.EINTR)
                return false;
        }
    }
}
