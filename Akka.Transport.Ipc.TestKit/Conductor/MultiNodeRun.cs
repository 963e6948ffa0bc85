using System.Diagnostics;
using System.Text.RegularExpressions;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.TestKit.Protocol;

namespace Akka.Transport.Ipc.TestKit.Conductor;

/// <summary>
/// Runs one test method of a spec as a multi-node run: learns the roles, makes a private run directory (the
/// conductor's socket and the IPC directory, both owner-only, unless a role runs as another user: see
/// <see cref="OtherUsers"/>), starts one process per role, waits for all of them
/// (or the time-out, or cancellation: then kills them), sweeps what killed nodes left in the IPC directory and
/// removes the run directory. No node outlives the run.
/// </summary>
internal static partial class MultiNodeRun
{
    /// <summary>Default whole-run time-out when <see cref="MultiNodeFactAttribute"/> sets none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(30);

    public static async Task<MultiNodeRunResult> RunAsync(
        Type specType, string methodName, TimeSpan timeout, Action<string>? liveOutput = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var config = ConfigProbe.ConfigOf(specType);
        if (config.Roles.Count == 0)
            throw new InvalidOperationException($"{specType.FullName}'s MultiNodeConfig declares no roles.");
        OtherUsers.CheckDirectories(config);
        if (OtherUsers.WhyNotRunnable(config) is { } whyNot)
            throw new MultiNodeSpecSkippedException(whyNot);

        var output = new RunOutput(liveOutput);
        var runDirectory = Directory.CreateTempSubdirectory("akka-ipc-multinode-");
        var ipcDirectories = config.Roles.Select(config.IpcDirectoryOf).Distinct()
            .ToDictionary(name => name, name => Path.Combine(runDirectory.FullName, name));
        foreach (var directory in ipcDirectories.Values)
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string socket = Path.Combine(runDirectory.FullName, "conductor.sock");
        output.Conductor($"{specType.Name}.{methodName}: roles {string.Join(", ", config.Roles.Select(r => r.Name))}; run directory {runDirectory.FullName}");

        var processes = new List<RoleProcess>(); // every life's, restarted ones too; guarded by itself
        var specAssemblies = new Dictionary<RoleName, string>();
        using var conductor = new RunConductor(config, socket, output);
        RoleProcess StartLife(RoleName role, int life)
        {
            var environment = new NodeEnvironment(socket, role.Name, ipcDirectories[config.IpcDirectoryOf(role)], SystemName(specType),
                specAssemblies[role], specType.FullName!, methodName, life);
            var process = RoleProcess.Start(environment, output, config.UserOf(role));
            lock (processes)
                processes.Add(process);
            return process;
        }
        conductor.LifeStarter = (role, life) => StartLife(config.RoleNamed(role), life);
        try
        {
            OtherUsers.OpenRun(config, runDirectory.FullName, ipcDirectories, socket);
            foreach (var role in config.Roles)
                specAssemblies[role] = SpecAssemblyFor(config, role, specType, runDirectory.FullName);
            foreach (var role in config.Roles)
                conductor.AddProcess(role.Name, StartLife(role, 0));

            var finished = await Task.WhenAny(conductor.Completion, Task.Delay(timeout, cancellation)).ConfigureAwait(false);
            if (finished != conductor.Completion)
            {
                var fates = conductor.Fates;
                conductor.Abort(cancellation.IsCancellationRequested
                    ? "The run was cancelled."
                    : $"The spec did not finish within {timeout.TotalSeconds:0.###} s; still running: "
                        + string.Join(", ", fates.Where(f => f.Value == RoleFate.Running).Select(f => f.Key)));
            }
        }
        catch (Exception e)
        {
            conductor.Abort($"The run could not start: {e.Message}");
        }
        finally
        {
            conductor.LifeStarter = null; // no life starts after this
            List<RoleProcess> all;
            lock (processes)
                all = processes.ToList();
            foreach (var process in all)
                process.Signal(Mono.Unix.Native.Signum.SIGKILL);
            await Task.WhenAny(Task.WhenAll(all.Select(p => p.Exited)), Task.Delay(KillLimit)).ConfigureAwait(false);
            foreach (var process in all)
                process.Dispose();
        }

        var result = new MultiNodeRunResult(specType, methodName, conductor.Fates, conductor.Failures, output, clock.Elapsed,
            processes.ToDictionary(p => p.Label, p => p.Pid), runDirectory.FullName, conductor.SkipReasons);
        RemoveRunDirectory(runDirectory, ipcDirectories.Values, output);
        return result;
    }

    /// <summary>
    /// The spec assembly the role's process runs: the test's own, or the one in a copy of the build output without the
    /// assemblies the role leaves out (<see cref="MultiNodeConfig.WithoutAssemblies"/>), made in the run directory.
    /// </summary>
    private static string SpecAssemblyFor(MultiNodeConfig config, RoleName role, Type specType, string runDirectory)
    {
        var leftOut = config.AssembliesLeftOut(role);
        return leftOut.Count == 0
            ? specType.Assembly.Location
            : TrimmedBuildOutput.Create(specType.Assembly.Location, leftOut, Path.Combine(runDirectory, "build-" + role.Name));
    }

    /// <summary>
    /// Sweeps what dead endpoints left (killed nodes leave their names and /dev/shm segments and semaphores), the
    /// way a starting endpoint does, then deletes the run directory.
    /// </summary>
    private static void RemoveRunDirectory(DirectoryInfo runDirectory, IEnumerable<string> ipcDirectories, RunOutput output)
    {
        try
        {
            foreach (var ipcDirectory in ipcDirectories)
                EndpointDirectory.SweepDeadEndpoints(new ChannelNames(ipcDirectory), ownPort: 0);
            runDirectory.Delete(recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            output.Conductor($"could not remove the run directory {runDirectory.FullName}: {e.Message}");
        }
    }

    /// <summary>Every role's ActorSystem is named after the spec class (Akka.Cluster needs one name).</summary>
    internal static string SystemName(Type specType)
    {
        string name = NotInSystemName().Replace(specType.Name, "-");
        return char.IsLetterOrDigit(name[0]) ? name : "Spec" + name;
    }

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex NotInSystemName();
}
