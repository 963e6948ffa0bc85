using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Xunit.Sdk;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// A private (0700) IPC directory for one test. The transport must leave it empty once every
/// ActorSystem using it has shut down; <see cref="AssertEmpty"/> checks that, and <see cref="Dispose"/> checks it
/// again on every path (a failed or aborted test included): it removes what is left, then fails the test with the
/// list, so a leak is never erased silently.
/// </summary>
/// <remarks>
/// Named POSIX semaphores live in /dev/shm as sem.*, outside the directory. The transport derives
/// their names from the directory path; the test asks its <see cref="ChannelNames"/> (internal,
/// visible to the tests) for the prefix, so only this directory's semaphores count, even while
/// other tests run in parallel.
/// </remarks>
public sealed class IpcTestDirectory : IDisposable
{
    private const string SharedMemoryRoot = "/dev/shm";
    private readonly string _transportSemaphorePattern;
    private bool _disposed;

    public IpcTestDirectory()
    {
        Token = Guid.NewGuid().ToString("N")[..8];
        var root = Directory.Exists(SharedMemoryRoot) ? SharedMemoryRoot : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, $"akka-ipc-test-{Token}");
        // "/akka-ipc-<uid>-<hash of path>-" names /dev/shm/sem.akka-ipc-<uid>-<hash of path>-<port>.
        _transportSemaphorePattern = "sem." + new ChannelNames(System.IO.Path.GetFullPath(Path)).SemaphorePrefix.TrimStart('/') + "*";
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        LeakGuard.Track(this);
    }

    /// <summary>Absolute path, to be passed as akka.remote.ipc.directory.</summary>
    public string Path { get; }

    /// <summary>Random token unique to this directory (part of its name).</summary>
    public string Token { get; }

    /// <summary>Entries left in the directory (relative paths), plus this test's semaphores (absolute paths).</summary>
    public IReadOnlyList<string> LeftoverEntries()
    {
        var leftovers = new List<string>();
        if (Directory.Exists(Path))
        {
            leftovers.AddRange(Directory
                .EnumerateFileSystemEntries(Path, "*", SearchOption.AllDirectories)
                .Select(entry => System.IO.Path.GetRelativePath(Path, entry)));
        }

        leftovers.AddRange(OwnSemaphores());
        leftovers.Sort(StringComparer.Ordinal);
        return leftovers;
    }

    public void AssertEmpty()
    {
        var leftovers = LeftoverEntries();
        if (leftovers.Count > 0)
        {
            throw new XunitException(
                $"IPC directory {Path} is not clean after shutdown; {leftovers.Count} leftover entr{(leftovers.Count == 1 ? "y" : "ies")}:"
                + Environment.NewLine + string.Join(Environment.NewLine, leftovers.Select(e => "  " + e)));
        }
    }

    /// <summary>Removes the directory and this test's semaphores; throws (after removing them) if any were left.</summary>
    /// <exception cref="XunitException">Something was left: the transport leaked it.</exception>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        LeakGuard.Untrack(this);

        var leftovers = LeftoverEntries();
        RemoveEverything();
        if (leftovers.Count > 0)
            throw new XunitException(
                $"IPC directory {Path} was not clean at dispose (removed now); {leftovers.Count} leftover entr{(leftovers.Count == 1 ? "y" : "ies")}:"
                + Environment.NewLine + string.Join(Environment.NewLine, leftovers.Select(e => "  " + e)));
    }

    private void RemoveEverything()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }

        foreach (var semaphore in OwnSemaphores())
        {
            try
            {
                File.Delete(semaphore);
            }
            catch (IOException)
            {
                // Removed concurrently.
            }
        }
    }

    private IEnumerable<string> OwnSemaphores() =>
        SharedMemoryFiles($"sem.*{Token}*")
            .Concat(SharedMemoryFiles(_transportSemaphorePattern))
            .Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> SharedMemoryFiles(string pattern) =>
        Directory.Exists(SharedMemoryRoot)
            ? Directory.EnumerateFiles(SharedMemoryRoot, pattern)
            : [];
}
