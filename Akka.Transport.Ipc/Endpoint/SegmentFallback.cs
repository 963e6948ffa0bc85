using Akka.Transport.Ipc.Interop;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// The warnings of one endpoint about associations that run over FIFOs because their segment could not be
/// created (mode = auto). Not to spam a log while shm-directory stays full, it warns once per condition: the first
/// fallback, then only when the cause changes (another errno), or when a fallback follows a segment that could be
/// created again. Thread-safe: connects run concurrently.
/// </summary>
internal sealed class SegmentFallback
{
    private const string None = "";
    private string _condition = None;

    /// <summary>Logs <paramref name="shortage"/> unless the same condition was the last one logged.</summary>
    public void Report(IOException cause, string shortage, int port, Action<string> warn)
    {
        string condition = cause is IpcSystemException system ? $"errno {system.Errno}" : cause.GetType().Name;
        if (Interlocked.Exchange(ref _condition, condition) == condition)
            return;
        warn($"IPC endpoint {port} cannot create a shared-memory segment: {shortage}. This association, and every other "
            + "one until shared memory can be had again, runs over FIFOs (mode = auto); logged once per condition.");
    }

    /// <summary>A segment could be created: the next fallback is a new condition and is logged.</summary>
    public void Recovered()
    {
        if (Volatile.Read(ref _condition) != None)
            Interlocked.Exchange(ref _condition, None);
    }

    /// <summary>Bytes an unprivileged user can still allocate in the file system holding <paramref name="directory"/>.</summary>
    public static long? FreeBytes(string directory) =>
        Syscall.statvfs(directory, out Statvfs stat) == 0 ? (long)(stat.f_bavail * stat.f_frsize) : null;
}
