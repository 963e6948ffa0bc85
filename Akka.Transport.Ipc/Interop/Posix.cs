using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Interop;

/// <summary>
/// Checked wrappers over the calls that are not on a hot path: Mono.Posix where it has them, <see cref="LibC"/>
/// otherwise. Failures throw <see cref="IpcSystemException"/>; EINTR is retried.
/// </summary>
internal static class Posix
{
    public static readonly uint Uid = Syscall.getuid();

    /// <summary>open(2) that returns the errno instead of throwing.</summary>
    public static FileDescriptor? TryOpen(string path, int flags, out int errno, uint mode = LibC.Mode0600)
    {
        while (true)
        {
            int fd = LibC.Open(path, flags | LibC.O_CLOEXEC, mode);
            if (fd >= 0)
            {
                errno = 0;
                return new FileDescriptor(fd);
            }
            errno = LibC.Errno;
            if (errno != Errno.EINTR)
                return null;
        }
    }

    public static FileDescriptor Open(string path, int flags, uint mode = LibC.Mode0600) =>
        TryOpen(path, flags, out int errno, mode) ?? throw new IpcSystemException("open", path, errno);

    /// <summary>Creates a FIFO readable and writable by the owner only.</summary>
    public static void MakeFifo(string path)
    {
        if (Syscall.mkfifo(path, FilePermissions.S_IRUSR | FilePermissions.S_IWUSR) != 0)
            throw new IpcSystemException("mkfifo", path, (int)Stdlib.GetLastError());
    }

    /// <summary>Owner uid and size of an open file.</summary>
    public static (uint Uid, long Size, bool IsRegular) Describe(FileDescriptor fd, string path)
    {
        if (Syscall.fstat(fd.Fd, out Stat stat) != 0)
            throw new IpcSystemException("fstat", path, (int)Stdlib.GetLastError());
        bool regular = (stat.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFREG;
        return (stat.st_uid, stat.st_size, regular);
    }

    /// <summary>True when the open descriptor is a FIFO.</summary>
    public static bool IsFifo(FileDescriptor fd) =>
        Syscall.fstat(fd.Fd, out Stat stat) == 0 && (stat.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFIFO;

    /// <summary>Owner uid and permission bits of a path, or null when it does not exist.</summary>
    public static (uint Uid, uint Mode, bool IsDirectory)? Stat(string path)
    {
        if (Syscall.lstat(path, out Stat stat) != 0)
            return null;
        bool directory = (stat.st_mode & FilePermissions.S_IFMT) == FilePermissions.S_IFDIR;
        return (stat.st_uid, (uint)stat.st_mode & 0x1FF, directory);
    }

    /// <summary>Inode of an open file and of a path, to detect a lock file replaced behind our back.</summary>
    public static bool SameFile(FileDescriptor fd, string path) =>
        Syscall.fstat(fd.Fd, out Stat open) == 0 && Syscall.stat(path, out Stat named) == 0
        && open.st_ino == named.st_ino && open.st_dev == named.st_dev;

    /// <summary>
    /// True when a live process holds the flock on <paramref name="lockPath"/> (an endpoint's port lock). Tested
    /// by trying LOCK_EX|LOCK_NB on a fresh descriptor: when that succeeds the owner is dead, and the lock is
    /// released at once (the file is not unlinked: it is not ours). A missing or unopenable file means no owner.
    /// </summary>
    public static bool IsLockHeld(string lockPath)
    {
        using var fd = TryOpen(lockPath, LibC.O_RDONLY | LibC.O_NOFOLLOW, out _);
        if (fd == null)
            return false;
        while (true)
        {
            if (LibC.Flock(fd.Fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
            {
                LibC.Flock(fd.Fd, LibC.LOCK_UN);
                return false;
            }
            if (LibC.Errno != Errno.EINTR)
                return true; // EWOULDBLOCK: somebody alive holds it
        }
    }

    /// <summary>Removes a file; a missing file is not an error.</summary>
    public static void Unlink(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
