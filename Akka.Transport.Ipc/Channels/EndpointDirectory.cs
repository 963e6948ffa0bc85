using Akka.Configuration;
using Akka.Transport.Ipc.Configuration;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

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

    /// <summary>Makes sure the directory exists, is a directory, belongs to us and is 0700; errors name <paramref name="key"/>.</summary>
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
        var stat = Posix.Stat(directory) ?? throw IpcSettings.Invalid(key, directory, "does not exist");
        if (!stat.IsDirectory)
            throw IpcSettings.Invalid(key, directory, "is not a directory");
        if (stat.Uid != Posix.Uid)
            throw IpcSettings.Invalid(key, directory, $"belongs to uid {stat.Uid}, not to this process's uid {Posix.Uid}");
        if ((stat.Mode & 0x3F) != 0)
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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

    /// <summary>What an endpoint writes into its lock file: pid and protocol version, read by connecting peers.</summary>
    public static string LockInfo => $"pid={LibC.GetPid()} protocol={SegmentLayout.Version}";

    /// <summary>The protocol version a live endpoint wrote into its lock file, or null when unknown.</summary>
    public static int? ProtocolOf(string lockInfo)
    {
        foreach (var field in lockInfo.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (field.StartsWith("protocol=", StringComparison.Ordinal) && int.TryParse(field.AsSpan(9), out int version))
                return version;
        return null;
    }

    /// <summary>Claims <paramref name="port"/>, or a free port when it is 0.</summary>
    public static EndpointLock Claim(ChannelNames names, int port)
    {
        try
        {
            if (port != 0)
                return ClaimFixed(names, port);
            int start = FirstDynamicPort + Random.Shared.Next(DynamicPortRange);
            for (int i = 0; i < PortAttempts; i++)
            {
                int candidate = FirstDynamicPort + (start - FirstDynamicPort + i) % DynamicPortRange;
                var claimed = EndpointLock.TryAcquire(names.Lock(candidate), LockInfo);
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
    private static EndpointLock ClaimFixed(ChannelNames names, int port)
    {
        string path = names.Lock(port);
        long deadline = Environment.TickCount64 + (long)ClaimPatience.TotalMilliseconds;
        for (int backoff = 2; ; backoff = Math.Min(backoff * 2, 50))
        {
            var claimed = EndpointLock.TryAcquire(path, LockInfo);
            if (claimed != null)
                return claimed;
            string? holder = EndpointLock.ReadInfo(path);
            bool live = !string.IsNullOrEmpty(holder) && holder != EndpointLock.SweepingInfo;
            if (live || Environment.TickCount64 >= deadline)
                throw IpcSettings.Invalid("port", port, $"is owned by a live endpoint in '{names.Directory}'");
            Thread.Sleep(backoff); // start-up path only: the holder is a sweeper that finishes within milliseconds
        }
    }

    /// <summary>
    /// Removes every entry and semaphore of endpoints whose lock is free (their process died), and leftovers of
    /// <paramref name="ownPort"/> (whose lock this process now holds).
    /// </summary>
    public static void SweepDeadEndpoints(ChannelNames names, int ownPort)
    {
        var byPort = new Dictionary<int, List<string>>();
        foreach (var directory in new[] { names.Directory, names.ShmDirectory }.Distinct())
        {
            if (!System.IO.Directory.Exists(directory))
                continue;
            foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(directory))
                if (ChannelNames.PortOf(Path.GetFileName(path)) is int port)
                    Entries(byPort, port).Add(path);
        }
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

    private static void RemoveDebris(ChannelNames names, int port, List<string> entries, bool keepLock)
    {
        string lockPath = names.Lock(port);
        foreach (var entry in entries)
            if (entry != lockPath)
                Posix.Unlink(entry);
        NamedSemaphore.Unlink(names.Doorbell(port));
        if (!keepLock)
            Posix.Unlink(lockPath); // last, while the guard still holds it
    }

    private static IEnumerable<int> SemaphorePorts(ChannelNames names)
    {
        // Named semaphores live in /dev/shm as sem.<name without the leading slash>.
        string prefix = "sem." + names.SemaphorePrefix.TrimStart('/');
        if (!System.IO.Directory.Exists("/dev/shm"))
            yield break;
        foreach (var path in System.IO.Directory.EnumerateFiles("/dev/shm", prefix + "*"))
            if (int.TryParse(Path.GetFileName(path).AsSpan(prefix.Length), out int port))
                yield return port;
    }

    private static List<string> Entries(Dictionary<int, List<string>> byPort, int port)
    {
        if (!byPort.TryGetValue(port, out var list))
            byPort[port] = list = new List<string>();
        return list;
    }
}
