using System.Text;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Ownership of an endpoint: an exclusive flock on its lock file, held for the owner's lifetime. The kernel
/// drops it when the process dies, so "lock free" means "endpoint dead", whatever the pid says.
/// The holder removes the lock file's name once (<see cref="ReleaseName"/>, also run by <see cref="Dispose"/>),
/// while it still holds the lock and only if the name still refers to the file it holds: a name that another
/// endpoint claimed meanwhile is never removed. Thread-safe: an exit hook may race with a normal Dispose.
/// </summary>
internal sealed class EndpointLock : IDisposable
{
    /// <summary>What a sweeper writes into a dead endpoint's lock file while it removes that endpoint's debris.</summary>
    public const string SweepingInfo = "sweeping";

    private readonly FileDescriptor _fd;
    private readonly object _sync = new();
    private bool _nameReleased; // guarded by _sync

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
    public static EndpointLock? TryAcquire(string path, string info)
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
            WriteInfo(fd, info);
            return new EndpointLock(path, fd);
        }
    }

    /// <summary>
    /// Returns a guard when no live process holds the lock at <paramref name="path"/>, null otherwise. A missing
    /// file is created and locked too, so nobody can start on that port while the caller removes its debris;
    /// the caller unlinks the lock file before disposing the guard. The file then says <see cref="SweepingInfo"/>,
    /// so a fixed-port start that meets the guard waits for it instead of taking it for a live endpoint.
    /// </summary>
    public static IDisposable? TryClaimDead(string path)
    {
        var fd = Posix.TryOpen(path, LibC.O_RDWR | LibC.O_CREAT, out _);
        if (fd == null)
            return null;
        if (TryLock(fd))
        {
            WriteInfo(fd, SweepingInfo);
            return fd;
        }
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

    /// <summary>
    /// Removes the lock file's name, once, if it is still the file this lock holds (fstat vs stat: device and
    /// inode), while the lock is still held. After this, another endpoint may claim the port by creating a new
    /// file, which nothing here touches again.
    /// </summary>
    public void ReleaseName()
    {
        lock (_sync)
        {
            if (_nameReleased)
                return;
            _nameReleased = true;
            if (!_fd.IsClosed && Posix.SameFile(_fd, Path))
                Posix.Unlink(Path);
        }
    }

    /// <summary>
    /// Releases the endpoint: removes the name first (see <see cref="ReleaseName"/>) so no one locks an orphaned
    /// inode, then drops the lock. Idempotent.
    /// </summary>
    public void Dispose()
    {
        lock (_sync)
        {
            ReleaseName();
            _fd.Dispose();
        }
    }

    private static unsafe void WriteInfo(FileDescriptor fd, string info)
    {
        byte[] text = Encoding.ASCII.GetBytes(info + "\n");
        LibC.FTruncate(fd.Fd, 0);
        fixed (byte* p = text)
            LibC.Write(fd.Fd, p, text.Length);
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
