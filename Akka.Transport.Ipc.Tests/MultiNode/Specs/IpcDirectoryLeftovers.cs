using Akka.Transport.Ipc.Endpoint;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// What endpoints left of an IPC directory a run's roles share: its entries, the /dev/shm segments carrying its
/// token and the doorbell semaphores of its prefix. Empty once every endpoint of the directory shut down cleanly (or
/// a later endpoint swept the dead ones): the transport's promise the NodeHost harness checked after each test.
/// </summary>
internal static class IpcDirectoryLeftovers
{
    private const string SharedMemoryRoot = "/dev/shm";

    /// <summary>Entries of <paramref name="directory"/> (relative), then its segments and semaphores in /dev/shm.</summary>
    public static IReadOnlyList<string> Of(string directory)
    {
        var names = new ChannelNames(Path.GetFullPath(directory));
        string semaphores = "sem." + names.SemaphorePrefix.TrimStart('/');
        var left = Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
                .Select(e => Path.GetRelativePath(directory, e)).ToList()
            : new List<string>();
        left.AddRange(Directory.EnumerateFileSystemEntries(SharedMemoryRoot)
            .Where(e => Path.GetFileName(e).Contains(names.Token, StringComparison.Ordinal)
                || Path.GetFileName(e).StartsWith(semaphores, StringComparison.Ordinal)));
        left.Sort(StringComparer.Ordinal);
        return left;
    }

    /// <summary>Fails listing whatever <see cref="Of"/> finds.</summary>
    public static void AssertNone(string directory)
    {
        var left = Of(directory);
        Assert.True(left.Count == 0, $"IPC directory {directory} is not clean after shutdown; left: {string.Join(", ", left)}");
    }
}
