using System.Collections.Concurrent;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Last-resort cleanup at test-host exit for resources whose owner never got disposed,
/// e.g. a directory created in a test class constructor whose ActorSystem then failed to start;
/// and the check that no NodeHost child of this process is alive.
/// </summary>
internal static class LeakGuard
{
    private static readonly ConcurrentDictionary<IDisposable, byte> Live = new();

    static LeakGuard() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();

    public static void Track(IDisposable resource) => Live.TryAdd(resource, 0);

    public static void Untrack(IDisposable resource) => Live.TryRemove(resource, out _);

    /// <summary>
    /// Fails if a NodeHost process whose parent is this test process is alive (not a zombie), after killing it.
    /// Call where no test may have a node running (the multi-process tests run alone).
    /// </summary>
    public static void AssertNoNodeHostChildren()
    {
        var alive = NodeHostChildren().ToList();
        if (alive.Count == 0)
            return;
        foreach (var (pid, _) in alive)
            Mono.Unix.Native.Syscall.kill(pid, Mono.Unix.Native.Signum.SIGKILL);
        throw new Xunit.Sdk.XunitException("NodeHost child process(es) of the test process still alive at the end of the test (killed now): "
            + string.Join("; ", alive.Select(c => $"pid {c.Pid}: {c.CommandLine}")));
    }

    private static IEnumerable<(int Pid, string CommandLine)> NodeHostChildren()
    {
        string self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string nodeHost = Path.GetFileName(NodeHostLocator.NodeHostAssembly);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
                continue;
            string stat, commandLine;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
                commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }
            // stat: "pid (comm) state ppid ..."; comm may contain spaces, so parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields[0] != "Z" && fields[1] == self && commandLine.Contains(nodeHost, StringComparison.Ordinal))
                yield return (pid, commandLine);
        }
    }

    private static void DisposeAll()
    {
        foreach (var resource in Live.Keys)
        {
            try
            {
                resource.Dispose();
            }
            catch
            {
                // Best effort: the process is exiting anyway.
            }
        }
    }
}
