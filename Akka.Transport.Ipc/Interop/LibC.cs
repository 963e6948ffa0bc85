using System.Runtime.InteropServices;

namespace Akka.Transport.Ipc.Interop;

/// <summary>
/// Every native call the transport makes that Mono.Posix lacks or that sits on a hot path, in one place.
/// glibc ≥ 2.34 exports sem_*, shm_* and clock_* from libc itself, so nothing here needs librt.
/// Constants are the Linux (asm-generic and x86-64) values.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    // open(2) flags
    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NONBLOCK = 0x800;
    /// <summary>Fail with ELOOP when the last component is a symbolic link: for every path a peer names.</summary>
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;

    // Owner-only permission bits.
    public const uint Mode0600 = 0x180;

    // mmap(2)
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int MAP_SHARED = 0x1;
    public static readonly nint MapFailed = -1;

    // flock(2)
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int LOCK_UN = 8;

    // poll(2)
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int CLOCK_MONOTONIC = 1;

    // fcntl(2)
    public const int F_SETPIPE_SZ = 1031;

    /// <summary>A polled descriptor, laid out as <c>struct pollfd</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary><c>struct timespec</c> on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary><c>struct iovec</c>: one buffer of a gathered write.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport(Lib, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(Lib, EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteV(int fd, IoVec* buffers, int count);

    /// <summary>The fixed three-argument form of the variadic <c>fcntl</c>, for integer arguments.</summary>
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Lib, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int FTruncate(int fd, long length);

    /// <summary>
    /// Allocates every block of [offset, offset + length), extending the file if needed. Unlike most calls it
    /// RETURNS the error number (0 on success) and leaves errno alone; callers retry EINTR.
    /// </summary>
    [LibraryImport(Lib, EntryPoint = "posix_fallocate")]
    public static partial int PosixFallocate(int fd, long offset, long length);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    /// <summary>The fixed four-argument form of the variadic <c>sem_open</c>.</summary>
    [LibraryImport(Lib, EntryPoint = "sem_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial nint SemOpen(string name, int flags, uint mode, uint value);

    [LibraryImport(Lib, EntryPoint = "sem_post", SetLastError = true)]
    public static partial int SemPost(nint semaphore);

    /// <summary>Takes a post if there is one; glibc does it with one atomic operation, no system call.</summary>
    [LibraryImport(Lib, EntryPoint = "sem_trywait", SetLastError = true)]
    public static partial int SemTryWait(nint semaphore);

    [LibraryImport(Lib, EntryPoint = "sem_clockwait", SetLastError = true)]
    public static partial int SemClockWait(nint semaphore, int clock, Timespec* absoluteTimeout);

    [LibraryImport(Lib, EntryPoint = "sem_close", SetLastError = true)]
    public static partial int SemClose(nint semaphore);

    [LibraryImport(Lib, EntryPoint = "sem_unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int SemUnlink(string name);

    [LibraryImport(Lib, EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clock, Timespec* time);

    [LibraryImport(Lib, EntryPoint = "getpid")]
    public static partial int GetPid();

    /// <summary>errno of the last call made with SetLastError.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>Human-readable text for an errno value.</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
