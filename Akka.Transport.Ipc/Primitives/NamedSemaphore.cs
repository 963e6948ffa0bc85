using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// A named POSIX semaphore (<c>/dev/shm/sem.NAME</c>) used as a doorbell: posted by peers, waited on by its owner.
/// The creator unlinks it; openers only close their reference.
/// </summary>
internal sealed unsafe class NamedSemaphore : IDisposable
{
    private nint _handle;
    private bool _owner; // guarded by this: Disown may race with Dispose

    private NamedSemaphore(string name, nint handle, bool owner)
    {
        Name = name;
        _handle = handle;
        _owner = owner;
    }

    /// <summary>The name as given to sem_open, starting with '/'.</summary>
    public string Name { get; }

    /// <summary>Creates a fresh semaphore at 0, replacing a stale one of the same name, readable by the owner only.</summary>
    public static NamedSemaphore Create(string name)
    {
        LibC.SemUnlink(name);
        nint handle = LibC.SemOpen(name, LibC.O_CREAT | LibC.O_EXCL, LibC.Mode0600, 0);
        if (handle == 0)
            throw new IpcSystemException("sem_open(create)", name, LibC.Errno);
        return new NamedSemaphore(name, handle, owner: true);
    }

    /// <summary>Opens a peer's semaphore, or returns null with the errno when it does not exist.</summary>
    public static NamedSemaphore? TryOpen(string name, out int errno)
    {
        nint handle = LibC.SemOpen(name, 0, 0, 0);
        errno = handle == 0 ? LibC.Errno : 0;
        return handle == 0 ? null : new NamedSemaphore(name, handle, owner: false);
    }

    /// <summary>Removes a semaphore by name (stale cleanup); a missing one is not an error.</summary>
    public static void Unlink(string name) => LibC.SemUnlink(name);

    /// <summary>Wakes the waiter. Posting after <see cref="Dispose"/> does nothing (never a use-after-close).</summary>
    public void Post()
    {
        // Posts happen only when a waiter announced sleep, so the lock is off the per-message path.
        lock (this)
        {
            if (_handle == 0)
                return;
            LibC.SemPost(_handle);
            Posts++;
        }
    }

    /// <summary>How many times this process posted through this handle (a metric; read without the lock).</summary>
    public long Posts { get; private set; }

    /// <summary>
    /// Takes one post if there is one, without blocking and without a system call (glibc's sem_trywait is one atomic
    /// operation): cheap enough to ask every round of a busy loop whether anyone rang.
    /// </summary>
    /// <returns>true when a post was taken.</returns>
    public bool TryWait()
    {
        while (true)
        {
            if (LibC.SemTryWait(_handle) == 0)
                return true;
            int errno = LibC.Errno;
            if (errno == Errno.EAGAIN)
                return false;
            if (errno != Errno.EINTR)
                throw new IpcSystemException("sem_trywait", Name, errno);
        }
    }

    /// <summary>Waits until posted or until <paramref name="timeoutMilliseconds"/> pass on the monotonic clock.</summary>
    /// <returns>true when posted; false on timeout.</returns>
    public bool Wait(int timeoutMilliseconds)
    {
        LibC.Timespec deadline;
        LibC.ClockGetTime(LibC.CLOCK_MONOTONIC, &deadline);
        long nanos = deadline.Nanoseconds + timeoutMilliseconds * 1_000_000L;
        deadline.Seconds += nanos / 1_000_000_000L;
        deadline.Nanoseconds = nanos % 1_000_000_000L;
        while (true)
        {
            if (LibC.SemClockWait(_handle, LibC.CLOCK_MONOTONIC, &deadline) == 0)
                return true;
            int errno = LibC.Errno;
            if (errno == Errno.ETIMEDOUT)
                return false;
            if (errno != Errno.EINTR)
                throw new IpcSystemException("sem_clockwait", Name, errno);
        }
    }

    /// <summary>
    /// The creator's name was unlinked by someone entitled to (an exit hook): <see cref="Dispose"/> then only
    /// closes, so it never unlinks a semaphore a successor created under the same name.
    /// </summary>
    public void Disown()
    {
        lock (this)
            _owner = false;
    }

    public void Dispose()
    {
        nint handle;
        bool owner;
        lock (this)
        {
            handle = _handle;
            owner = _owner;
            _handle = 0;
        }
        if (handle == 0)
            return;
        LibC.SemClose(handle);
        if (owner)
            LibC.SemUnlink(Name);
    }
}
