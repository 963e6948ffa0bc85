using Akka.Actor;
using Akka.Configuration;

namespace LocalCluster;

/// <summary>
/// The IPC directories of one run: a private (0700) root, <c>akka-ipc-localcluster-&lt;pid&gt;-&lt;random&gt;</c>, with one
/// sub-directory per round and side. At the end, <see cref="Sweep"/> lets the transport itself remove what a killed
/// node could not (its lock, FIFOs and semaphore: an endpoint starting in a directory removes the names of the dead
/// ones), then removes the directories and reports anything left.
/// </summary>
internal sealed class RunDirectories
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly List<string> _created = [];

    public RunDirectories(string parent)
    {
        if (parent.Length == 0)
            parent = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        Root = Path.Combine(Path.GetFullPath(parent), $"akka-ipc-localcluster-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Root, OwnerOnly);
    }

    public string Root { get; }

    /// <summary>A new, empty, owner-only directory under the root.</summary>
    public string Create(string name)
    {
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(path, OwnerOnly);
        _created.Add(path);
        return path;
    }

    /// <summary>
    /// Call once every node has exited. Starts and stops one plain IPC endpoint in each directory (its start sweeps
    /// the debris of dead endpoints, its stop removes its own names), then deletes the directories. Returns what was
    /// left, which is then removed too: an empty list means the transport cleaned up after itself and its dead.
    /// </summary>
    public async Task<List<string>> SweepAsync()
    {
        foreach (var directory in _created.Where(Directory.Exists))
        {
            var system = ActorSystem.Create("Sweep", ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.actor.provider = remote
                akka.remote.enabled-transports = ["akka.remote.ipc"]
                akka.remote.ipc {
                  transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
                  directory = "{{directory}}"
                }
                """));
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
        }
        var left = new List<string>();
        if (Directory.Exists(Root))
        {
            left.AddRange(Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f)));
            Directory.Delete(Root, recursive: true);
        }
        return left;
    }
}
