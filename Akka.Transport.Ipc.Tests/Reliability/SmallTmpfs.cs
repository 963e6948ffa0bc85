using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;

namespace Akka.Transport.Ipc.Tests.Reliability;

/// <summary>
/// A real, private, 3 MiB tmpfs (<c>mount -t tmpfs -o size=3m,mode=0700</c>) on a fresh directory under /tmp, to be a
/// test's shm-directory: a small /dev/shm, as in a container. Mounting needs root; where it fails,
/// <see cref="Mounted"/> is false and <see cref="Why"/> says why, and the test skips visibly. Dispose always
/// unmounts (lazily as a last resort) and removes the directory.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    /// <summary>The size option given to mount, in bytes.</summary>
    public const long Size = 3L << 20;

    private const string SkipMessage = "this test did NOT run: it needs root to mount a tmpfs";

    private SmallTmpfs(string path, bool mounted, string why)
    {
        Path = path;
        Mounted = mounted;
        Why = why;
    }

    public string Path { get; }

    public bool Mounted { get; }

    /// <summary>Why mounting failed; empty when it worked.</summary>
    public string Why { get; }

    /// <summary>The message to skip with: names why the test did not run.</summary>
    public string SkipReason => $"{SkipMessage} ({Why})";

    /// <summary>Creates a unique directory and mounts the tmpfs on it; never throws.</summary>
    public static SmallTmpfs Mount() => MountAt(System.IO.Path.Combine("/tmp", $"akka-ipc-tmpfs-{Guid.NewGuid():N}"[..30]));

    /// <summary>
    /// The mount point for the run whose IPC directory is <paramref name="ipcDirectory"/>: the same in every role's
    /// process, so the role that mounts it and the roles that use it agree without talking.
    /// </summary>
    public static string PathFor(string ipcDirectory) =>
        System.IO.Path.Combine("/tmp", $"akka-ipc-tmpfs-{new Akka.Transport.Ipc.Endpoint.ChannelNames(ipcDirectory).Token}");

    /// <summary>Whether a tmpfs is mounted at <paramref name="path"/> (/proc/self/mounts).</summary>
    public static bool IsMountedAt(string path) =>
        File.ReadLines("/proc/self/mounts").Any(line => line.Split(' ') is [_, var mountPoint, "tmpfs", ..] && mountPoint == path);

    /// <summary>Creates <paramref name="path"/> and mounts the tmpfs on it; never throws.</summary>
    public static SmallTmpfs MountAt(string path)
    {
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (Syscall.getuid() != 0)
            return new SmallTmpfs(path, false, "not running as root");
        var (code, output) = TmpfsCommands.Mount(path, "3m");
        return new SmallTmpfs(path, code == 0, code == 0 ? "" : $"mount exited {code}: {output}");
    }

    /// <summary>Entries left on the tmpfs.</summary>
    public IReadOnlyList<string> Entries() =>
        Directory.Exists(Path) ? Directory.EnumerateFileSystemEntries(Path).Select(e => System.IO.Path.GetFileName(e)).ToList() : [];

    /// <summary>Bytes still free on the tmpfs (statvfs).</summary>
    public long FreeBytes() =>
        Syscall.statvfs(Path, out Statvfs stat) == 0 ? (long)(stat.f_bavail * stat.f_frsize) : -1;

    /// <summary>Writes a file of zeros until the tmpfs is full (ENOSPC); returns its path.</summary>
    public string Fill(string name = "filler")
    {
        string file = System.IO.Path.Combine(Path, name);
        var chunk = new byte[4096];
        using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
                stream.Write(chunk);
        }
        catch (IOException)
        {
            // No space left on the device: that is the point.
        }
        return file;
    }

    public void Dispose()
    {
        if (Mounted)
            TmpfsCommands.Unmount(Path);
        try
        {
            Directory.Delete(Path, recursive: false);
        }
        catch (IOException)
        {
            // Still busy after a lazy unmount: the kernel releases it with its last user.
        }
    }
}
