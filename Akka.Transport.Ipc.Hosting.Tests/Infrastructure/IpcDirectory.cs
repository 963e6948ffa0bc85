using System.Globalization;
using System.Text;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.Hosting.Tests.Infrastructure;

/// <summary>
/// A private (0700) IPC directory under /dev/shm for one test. The transport must leave it, and the named
/// semaphores it derives from its path, empty once every ActorSystem using it has stopped: <see cref="AssertEmpty"/>
/// checks that, and <see cref="Dispose"/> checks again on every path, removes what is left and then fails the test
/// with the list, so a leak is never erased silently.
/// </summary>
public sealed class IpcDirectory : IDisposable
{
    private const string SharedMemoryRoot = "/dev/shm";
    private bool _disposed;

    public IpcDirectory()
    {
        Path = System.IO.Path.Combine(SharedMemoryRoot, $"akka-ipc-test-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        SemaphorePattern = $"sem.akka-ipc-{Mono.Unix.Native.Syscall.getuid()}-{PathToken(Path)}-*";
    }

    /// <summary>Absolute path, for <c>IpcRemoteOptions.Directory</c>.</summary>
    public string Path { get; }

    /// <summary>
    /// The names (in /dev/shm) of this directory's semaphores: the transport names them
    /// <c>/akka-ipc-&lt;uid&gt;-&lt;FNV-1a of the directory path, 8 hex digits&gt;-&lt;port&gt;</c>
    /// (ChannelNames, internal to the transport). <see cref="Semaphores"/> is checked against a running shm endpoint
    /// by a test, so a change of that scheme fails there rather than hiding leaks here.
    /// </summary>
    public string SemaphorePattern { get; }

    public IReadOnlyList<string> Semaphores() => Directory.EnumerateFiles(SharedMemoryRoot, SemaphorePattern).Order(StringComparer.Ordinal).ToList();

    /// <summary>Entries left in the directory (relative paths) and this directory's semaphores (absolute paths).</summary>
    public IReadOnlyList<string> Leftovers()
    {
        var leftovers = Directory.Exists(Path)
            ? Directory.EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories).Select(e => System.IO.Path.GetRelativePath(Path, e)).ToList()
            : [];
        leftovers.AddRange(Semaphores());
        return leftovers;
    }

    public void AssertEmpty()
    {
        var leftovers = Leftovers();
        if (leftovers.Count > 0)
            throw new XunitException($"IPC directory {Path} is not clean after shutdown: {string.Join(", ", leftovers)}");
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        var leftovers = Leftovers();
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
        foreach (var semaphore in Semaphores())
            File.Delete(semaphore);
        if (leftovers.Count > 0)
            throw new XunitException($"IPC directory {Path} was not clean at dispose (removed now): {string.Join(", ", leftovers)}");
    }

    private static string PathToken(string directory)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory))))
            hash = (hash ^ b) * 16777619;
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}
