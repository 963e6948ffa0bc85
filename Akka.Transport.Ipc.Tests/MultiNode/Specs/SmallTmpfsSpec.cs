using Akka.Actor;
using Akka.Configuration;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.Reliability;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// A spec on a real 3 MiB tmpfs as shm-directory (<see cref="SmallTmpfs"/>, root only). One role mounts it at a path
/// every role derives from the run's IPC directory; the systems under test are ActorSystems each role starts once it
/// is mounted (the roles' own systems start before anything could be mounted), all named as the spec's system, in
/// the run's IPC directory. Where it cannot be mounted (not root) every role skips visibly, with the reason.
/// </summary>
public abstract class SmallTmpfsSpec(MultiNodeConfig config, ITestOutputHelper? output) : HarnessCheckedSpec(config, output)
{
    /// <summary>Where this run's tmpfs is mounted.</summary>
    protected string TmpfsPath => SmallTmpfs.PathFor(IpcDirectory);

    /// <summary>The ring size of <see cref="SettingsFor"/>'s associations.</summary>
    private const string AssociationRing = "512KiB";

    /// <summary>The transport's settings over the small tmpfs with <paramref name="mode"/> (auto or shm).</summary>
    protected string SettingsFor(string mode) => $"""
        akka.remote.ipc.mode = {mode}
        akka.remote.ipc.shm-directory = "{TmpfsPath}"
        akka.remote.ipc.ring-size = {AssociationRing}
        """;

    /// <summary>
    /// Mounts the tmpfs on <paramref name="mounter"/>, skips on every role if it is not mounted, runs
    /// <paramref name="body"/> (on every role; the mounter gets the tmpfs, the others null), then unmounts it.
    /// </summary>
    protected void WithSmallTmpfs(RoleName mounter, Action<SmallTmpfs?> body)
    {
        SmallTmpfs? tmpfs = null;
        RunOn(() => tmpfs = SmallTmpfs.MountAt(TmpfsPath), mounter);
        try
        {
            EnterBarrier("tmpfs-mount-attempted");
            Skip.IfNot(SmallTmpfs.IsMountedAt(TmpfsPath),
                tmpfs?.SkipReason ?? $"this test did NOT run: no tmpfs at {TmpfsPath} (mounting one needs root)");
            body(tmpfs);
        }
        finally
        {
            tmpfs?.Dispose();
        }
    }

    /// <summary>
    /// Starts a system under test in the run's IPC directory with <paramref name="settings"/> (akka.remote.ipc keys)
    /// above this role's configuration, with its ERROR events collected.
    /// </summary>
    protected (ActorSystem System, ErrorLogCollector Errors) StartSystem(string settings)
    {
        var system = ActorSystem.Create(Sys.Name, ConfigurationFactory.ParseString(settings)
            .WithFallback(ConfigurationFactory.ParseString("akka.remote.ipc.connection-timeout = 15s"))
            .WithFallback(Sys.Settings.Config));
        return (system, ErrorLogCollector.Install(system));
    }

    /// <summary>The address of the system under test <paramref name="role"/> started (its second endpoint).</summary>
    protected Address SystemUnderTestOf(RoleName role) =>
        new("akka.ipc", Sys.Name, "localhost", EndpointLocks.OtherPortOfSameProcess(IpcDirectory, GetAddress(role).Port!.Value));

    /// <summary>Terminates a system under test; it must not have logged an unexpected ERROR.</summary>
    protected static void Stop((ActorSystem System, ErrorLogCollector Errors) started)
    {
        Assert.True(started.System.Terminate().Wait(ShutdownLimit), "a system under test did not terminate");
        started.Errors.AssertNoUnexpectedErrors();
    }
}
