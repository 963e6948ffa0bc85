using System.Globalization;
using Akka.Configuration;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// The directory endpoints meet in: created owner-only, refused when it belongs to someone else, swept of dead
/// endpoints' debris, and the place a port is claimed.
/// </summary>
internal static class EndpointDirectory
{
    private const int FirstDynamicPort = 20000;
    private const int DynamicPortRange = 40000;
    private const int PortAttempts = 1000;

    /// <summary>
    /// How long a fixed-port start waits for a lock that is held but names no live endpoint: a sweeper removing
    /// a dead endpoint's debris (it holds the dead port's lock meanwhile), or an endpoint between taking the lock
    /// and writing its info. Both last milliseconds; the bound keeps a stuck holder from hanging the start.
    /// </summary>
    private static readonly TimeSpan ClaimPatience = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Makes sure <paramref name="directory"/> is usable; errors name <paramref name="key"/> and the path. A missing
    /// directory is created 0700. An existing one is never changed (no chmod): it is used when it is a directory
    /// (not a symlink) and either has the sticky bit (a shared tmpfs such as /dev/shm or /tmp: nobody else can
    /// remove or rename this user's 0600 files there), or belongs to this user and is not writable by group or
    /// others. Anything else is refused, because another user could remove or replace the endpoint's files.
    /// </summary>
    public static void Prepare(string directory, string key)
    {
        try
        {
            if (!System.IO.Directory.Exists(directory))
                System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw IpcSettings.Invalid(key, directory, "cannot be created: " + e.Message);
        }
        if (Syscall.lstat(directory, out Stat stat) != 0)
            throw IpcSettings.Invalid(key, directory, "does not exist");
        if ((stat.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFDIR)
            throw IpcSettings.Invalid(key, directory, "is not a directory");
        if ((stat.st_mode & FilePermissions.S_ISVTX) != 0)
            return;
        if (stat.st_uid != Posix.Uid)
            throw IpcSettings.Invalid(key, directory, $"belongs to uid {stat.st_uid}, not to this process's uid {Posix.Uid}");
        if ((stat.st_mode & (FilePermissions.S_IWGRP | FilePermissions.S_IWOTH)) != 0)
            throw IpcSettings.Invalid(key, directory, "is writable by group or others and has no sticky bit, so another user could remove or replace "
                + "the endpoint's files; remove that write permission (chmod go-w), set the sticky bit, or choose another directory");
    }

    /// <summary>Removes the directory when no endpoint uses it any more (rmdir fails on a non-empty one).</summary>
    public static void RemoveIfEmpty(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: false);
        }
        catch (IOException)
        {
            // Not empty (another endpoint lives there) or already gone.
        }
    }

    /// <summary>
    /// What an endpoint without an identity (a test's or a sweeper's) writes into its lock file: pid and protocol
    /// version. A transport's endpoint writes <see cref="EndpointIdentity.ToLockInfo"/>, which adds its uid and address.
    /// </summary>
    public static string LockInfo() => $"pid={LibC.GetPid()} protocol={SegmentLayout.Version}";

    /// <summary>The protocol version a live endpoint wrote into its lock file, or null when unknown.</summary>
    public static int? ProtocolOf(string lockInfo)
    {
        foreach (var field in lockInfo.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (field.StartsWith("protocol=", StringComparison.Ordinal) && int.TryParse(field.AsSpan(9), out int version))
                return version;
        return null;
    }

    /// <summary>Claims <paramref name="port"/>, or a free port when it is 0, writing <see cref="LockInfo()"/> into its lock.</summary>
    public static EndpointLock Claim(ChannelNames names, int port) => Claim(names, port, _ => LockInfo());

    /// <summary>
    /// Claims <paramref name="port"/>, or a free port when it is 0, writing <paramref name="lockInfo"/> of the port
    /// claimed into its lock (an endpoint's address contains its port, known only once claimed).
    /// </summary>
    public static EndpointLock Claim(ChannelNames names, int port, Func<int, string> lockInfo)
    {
        try
        {
            if (port != 0)
                return ClaimFixed(names, port, lockInfo);
            int start = FirstDynamicPort + Random.Shared.Next(DynamicPortRange);
            for (int i = 0; i < PortAttempts; i++)
            {
                int candidate = FirstDynamicPort + (start - FirstDynamicPort + i) % DynamicPortRange;
                var claimed = EndpointLock.TryAcquire(names.Lock(candidate), lockInfo(candidate));
                if (claimed != null)
                    return claimed;
            }
            throw IpcSettings.Invalid("port", 0, $"no free endpoint found in '{names.Directory}' after {PortAttempts} attempts");
        }
        catch (IpcSystemException e)
        {
            throw IpcSettings.Invalid("directory", names.Directory, "is not usable: " + e.Message);
        }
    }

    /// <summary>
    /// Claims a fixed port. A lock held by a live endpoint (its info names a pid) fails at once; a lock held by a
    /// sweeper (<see cref="EndpointLock.SweepingInfo"/>) or not yet described is retried with a short back-off for
    /// up to <see cref="ClaimPatience"/>.
    /// </summary>
    private static EndpointLock ClaimFixed(ChannelNames names, int port, Func<int, string> lockInfo)
    {
        string path = names.Lock(port);
        long deadline = Environment.TickCount64 + (long)ClaimPatience.TotalMilliseconds;
        for (int backoff = 2; ; backoff = Math.Min(backoff * 2, 50))
        {
            var claimed = EndpointLock.TryAcquire(path, lockInfo(port));
            if (claimed != null)
                return claimed;
            string? holder = EndpointLock.ReadInfo(path);
            // A holder whose process is gone is not an endpoint but a peer testing the dead one's lock (which takes
            // it for an instant): retried like a sweeper.
            bool live = !string.IsNullOrEmpty(holder) && holder != EndpointLock.SweepingInfo && !NamesDeadProcess(holder);
            if (live || Environment.TickCount64 >= deadline)
                throw IpcSettings.Invalid("port", port, $"is owned by a live endpoint in '{names.Directory}'");
            Thread.Sleep(backoff); // start-up path only: the holder is a sweeper that finishes within milliseconds
        }
    }

    /// <summary>
    /// True when <paramref name="lockInfo"/> names a pid that no process of this pid namespace has. (A holder in
    /// another namespace — a container sharing the directory — looks dead too; it is then retried up to
    /// <see cref="ClaimPatience"/> before the port counts as taken, which only delays that failure.)
    /// </summary>
    private static bool NamesDeadProcess(string lockInfo)
    {
        foreach (var field in lockInfo.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (field.StartsWith("pid=", StringComparison.Ordinal) && int.TryParse(field.AsSpan(4), out int pid))
                return pid > 0 && !System.IO.Directory.Exists($"/proc/{pid}");
        return false;
    }

    /// <summary>
    /// Removes every entry and semaphore of this directory's endpoints whose lock is free (their process died),
    /// and leftovers of <paramref name="ownPort"/> (whose lock this process now holds). Only the transport's own
    /// entries are touched (see <see cref="EndpointEntries"/>): never a directory, another user's file, a name of
    /// another shape, or a segment of another IPC directory sharing the shm-directory.
    /// </summary>
    public static void SweepDeadEndpoints(ChannelNames names, int ownPort)
    {
        var byPort = new Dictionary<int, List<string>>();
        foreach (var (path, port) in EndpointEntries(names))
            Entries(byPort, port).Add(path);
        foreach (var port in SemaphorePorts(names))
            Entries(byPort, port);

        foreach (var (port, entries) in byPort)
        {
            if (port == ownPort)
            {
                RemoveDebris(names, port, entries, keepLock: true);
                continue;
            }
            using var guard = EndpointLock.TryClaimDead(names.Lock(port));
            if (guard != null)
                RemoveDebris(names, port, entries, keepLock: false);
        }
    }

    /// <summary>
    /// Removes every name of <paramref name="port"/> except its lock file: accept and life FIFOs, offered
    /// segments and FIFO pairs, the doorbell semaphore. Only for the holder of the port's lock (or a sweeper of a
    /// dead port holding its guard), since a name is the port's only while that lock is held.
    /// </summary>
    public static void RemoveNamesOf(ChannelNames names, int port)
    {
        var entries = EndpointEntries(names).Where(e => e.Port == port).Select(e => e.Path).ToList();
        RemoveDebris(names, port, entries, keepLock: true);
    }

    /// <summary>
    /// The transport's entries of this directory: regular files and FIFOs of this user named as
    /// <see cref="ChannelNames"/> names them — in the directory every shape, in a separate shm-directory only
    /// segments carrying this directory's token.
    /// </summary>
    internal static IEnumerable<(string Path, int Port)> EndpointEntries(ChannelNames names)
    {
        foreach (var entry in OwnEntries(names.Directory, names, segmentsOnly: false))
            yield return entry;
        if (names.ShmDirectory != names.Directory)
            foreach (var entry in OwnEntries(names.ShmDirectory, names, segmentsOnly: true))
                yield return entry;
    }

    private static IEnumerable<(string Path, int Port)> OwnEntries(string directory, ChannelNames names, bool segmentsOnly)
    {
        IEnumerable<string> paths;
        try
        {
            paths = System.IO.Directory.EnumerateFileSystemEntries(directory).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break; // missing or unreadable: nothing of ours to remove there
        }
        foreach (var path in paths)
        {
            var shape = ChannelNames.ShapeOf(Path.GetFileName(path), names.Token);
            if (shape is not var (port, kind) || (segmentsOnly && kind != EntryKind.Segment))
                continue;
            if (Syscall.lstat(path, out Stat stat) != 0 || stat.st_uid != Posix.Uid)
                continue;
            var type = stat.st_mode & FilePermissions.S_IFMT;
            bool expected = kind is EntryKind.Lock or EntryKind.Segment or EntryKind.Stats ? type == FilePermissions.S_IFREG : type == FilePermissions.S_IFIFO;
            if (expected)
                yield return (path, port);
        }
    }

    private static void RemoveDebris(ChannelNames names, int port, List<string> entries, bool keepLock)
    {
        string lockPath = names.Lock(port);
        foreach (var entry in entries)
            if (entry != lockPath)
                Syscall.unlink(entry); // unlink(2) never removes a directory; a name gone meanwhile is fine
        NamedSemaphore.Unlink(names.Doorbell(port));
        if (!keepLock)
            Syscall.unlink(lockPath); // last, while the guard still holds it
    }

    private static IEnumerable<int> SemaphorePorts(ChannelNames names)
    {
        // Named semaphores live in /dev/shm as sem.<name without the leading slash>.
        string prefix = "sem." + names.SemaphorePrefix.TrimStart('/');
        if (!System.IO.Directory.Exists("/dev/shm"))
            yield break;
        foreach (var path in System.IO.Directory.EnumerateFiles("/dev/shm", prefix + "*"))
            if (int.TryParse(Path.GetFileName(path).AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
                yield return port;
    }

    private static List<string> Entries(Dictionary<int, List<string>> byPort, int port)
    {
        if (!byPort.TryGetValue(port, out var list))
            byPort[port] = list = new List<string>();
        return list;
    }
}
