using System.Globalization;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Tool;

/// <summary>
/// What dead endpoints left, and its removal. Two kinds of debris:
/// <list type="bullet">
/// <item>in the directory, the names of every endpoint whose lock nobody holds (lock, FIFOs, statistics, offered
/// segments and FIFO pairs, its doorbell semaphore) — removed the way a starting endpoint sweeps them, under the
/// dead port's lock, so a live endpoint's names are never touched;</item>
/// <item>doorbell semaphores of this user (<c>/dev/shm/sem.akka-ipc-&lt;uid&gt;-…</c>) that no process has open
/// — every live endpoint keeps its own doorbell mapped, so such a semaphore belongs to a dead endpoint, typically one
/// whose per-test or per-run directory was deleted after a SIGKILL, which no endpoint will ever sweep.</item>
/// </list>
/// </summary>
public static class DirectoryCleaner
{
    private const string SharedMemory = "/dev/shm";

    /// <summary>Everything <see cref="Clean"/> would remove now, as paths.</summary>
    public static IReadOnlyList<string> Debris(string directory)
    {
        var found = new List<string>();
        if (Directory.Exists(directory))
        {
            var names = new ChannelNames(directory);
            foreach (var group in EndpointDirectory.EndpointEntries(names).GroupBy(e => e.Port))
            {
                if (Posix.IsLockHeld(names.Lock(group.Key)))
                    continue;
                found.AddRange(group.Select(e => e.Path));
                string semaphore = SemaphoreFile(names.Doorbell(group.Key));
                if (File.Exists(semaphore))
                    found.Add(semaphore);
            }
        }
        found.AddRange(OrphanSemaphores().Where(s => !found.Contains(s)));
        return found.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes the debris of <paramref name="directory"/> and the orphan semaphores; returns what was removed.</summary>
    public static IReadOnlyList<string> Clean(string directory)
    {
        var before = Debris(directory);
        if (Directory.Exists(directory))
            EndpointDirectory.SweepDeadEndpoints(new ChannelNames(directory), ownPort: 0);
        foreach (var semaphore in OrphanSemaphores())
            Posix.Unlink(semaphore);
        return before.Where(path => !File.Exists(path)).ToList();
    }

    /// <summary>
    /// This user's transport semaphores that no process maps. sem_open maps the semaphore's file; the process that
    /// created it maps it under a temporary name (glibc creates <c>sem.XXXXXX</c>, then links it to the real name
    /// and unlinks the temporary one), so mappings are matched by device and inode, never by path.
    /// </summary>
    private static IEnumerable<string> OrphanSemaphores()
    {
        if (!Directory.Exists(SharedMemory))
            return Array.Empty<string>();
        string prefix = "sem.akka-ipc-" + Posix.Uid.ToString(CultureInfo.InvariantCulture) + "-";
        var candidates = Directory.EnumerateFiles(SharedMemory, prefix + "*").ToList();
        if (candidates.Count == 0)
            return candidates;
        var mapped = MappedSharedMemoryInodes();
        return candidates.Where(path => Inode(path) is ulong inode && !mapped.Contains(inode)).ToList();
    }

    /// <summary>
    /// The inodes of every /dev/shm file some process maps, from /proc/*/maps ("address perms offset dev inode path").
    /// All of /dev/shm is one file system, so the inode alone identifies a file there.
    /// </summary>
    private static HashSet<ulong> MappedSharedMemoryInodes()
    {
        var mapped = new HashSet<ulong>();
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out _))
                continue;
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(process, "maps")))
                {
                    if (!line.Contains(SharedMemory + "/", StringComparison.Ordinal))
                        continue;
                    var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length >= 5 && ulong.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode))
                        mapped.Add(inode);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited meanwhile, or is another user's: its semaphores are not ours to judge.
            }
        }
        return mapped;
    }

    private static ulong? Inode(string path) =>
        Mono.Unix.Native.Syscall.lstat(path, out var stat) == 0 ? stat.st_ino : null;

    private static string SemaphoreFile(string semaphoreName) => Path.Combine(SharedMemory, "sem." + semaphoreName.TrimStart('/'));
}
