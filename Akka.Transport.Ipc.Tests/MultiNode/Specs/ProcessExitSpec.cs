using System.Diagnostics;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class ProcessExitConfig : MultiNodeConfig
{
    public ProcessExitConfig(int leavers)
    {
        Observer = Role("observer");
        Leavers = Enumerable.Range(1, leavers).Select(i => Role($"leaver{i}")).ToArray();
        // Each leaver alone in a directory of its own: what is left there after its process is gone is its alone.
        foreach (var leaver in Leavers)
            SeparateIpcDirectory(leaver.Name, leaver);
        CommonConfig = ModeConfig.For("auto");
    }

    /// <summary>Ends or signals the leavers and looks at what they left.</summary>
    public RoleName Observer { get; }

    /// <summary>Processes running RemotePingPong that then leave, one after another.</summary>
    public RoleName[] Leavers { get; }
}

/// <summary>
/// A process that leaves in any way short of SIGKILL while its endpoints are still shutting down or running — Main
/// returning, Environment.Exit, SIGTERM, SIGINT, SIGQUIT, SIGHUP — leaves nothing in its IPC directory or /dev/shm: no
/// lock, life or accept file, no FIFO or segment, no doorbell semaphore. Akka.NET's RemotePingPong shape
/// (<see cref="RemotePingPong"/>) in the leaving role; the Main/Exit endings three runs each (three processes, one
/// after another), since the original leak showed in one run of four. (Ported from the NodeHost harness's
/// ProcessExitTests and its RemotePingPongExit child mode: the leaving role ends its own process with
/// <see cref="MultiNodeSpec.LeaveProcess"/> or is signalled with <see cref="TestConductor.Signal"/>.)
/// </summary>
public abstract class ProcessExitSpec(ProcessExitConfig config, ITestOutputHelper output) : MultiNodeSpec(config, output)
{
    /// <summary>Generous: a signalled process leaves within a second here; 20 s only absorbs a loaded machine.</summary>
    protected static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(20);

    protected ProcessExitConfig ExitConfig { get; } = config;

    /// <summary>The IPC directory of <paramref name="leaver"/> (beside this role's, in the run's directory).</summary>
    protected string DirectoryOf(RoleName leaver)
    {
        string own = Sys.Settings.Config.GetString("akka.remote.ipc.directory");
        return Path.Combine(Path.GetDirectoryName(own)!, ExitConfig.IpcDirectoryOf(leaver));
    }

    protected void AssertNothingLeft(RoleName leaver, string what)
    {
        var left = IpcDirectoryLeftovers.Of(DirectoryOf(leaver));
        Assert.True(left.Count == 0, $"{what}: the exited process left {string.Join(", ", left)}");
    }
}

/// <summary>RemotePingPong's own ending: both systems told to terminate, not awaited, then Main returns or Environment.Exit(0).</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class ProcessEndingWhileShuttingDownSpec(ITestOutputHelper output) : ProcessExitSpec(new ProcessExitConfig(3), output)
{
    [MultiNodeFact]
    public void A_process_returning_from_Main_while_its_endpoints_shut_down_leaves_nothing() => Run(ProcessEnding.ReturnFromMain);

    [MultiNodeFact]
    public void A_process_calling_Environment_Exit_while_its_endpoints_shut_down_leaves_nothing() => Run(ProcessEnding.EnvironmentExit);

    private void Run(ProcessEnding ending)
    {
        foreach (var leaver in ExitConfig.Leavers)
        {
            RunOn(() =>
            {
                var pingPong = RemotePingPong.Exchange(Sys.Settings.Config);
                _ = pingPong.First.Terminate(); // as RemotePingPong does: terminate both, do not wait
                _ = pingPong.Second.Terminate();
                LeaveProcess(ending, 0);
            }, leaver);
            RunOn(() =>
            {
                int exitCode = TestConductor.AwaitExit(leaver).Result;
                Output!.WriteLine($"{leaver.Name} ({ending}): exit code {exitCode}");
                AssertNothingLeft(leaver, $"{leaver.Name} ({ending})");
            }, ExitConfig.Observer);
            EnterBarrier($"{leaver.Name}-gone");
        }
    }
}

/// <summary>
/// <c>docker stop</c> (SIGTERM), Ctrl+C (SIGINT), SIGQUIT and a closed terminal (SIGHUP) sent to a running app with
/// associations whose Main awaits its systems' termination, as a service written against Akka does.
/// <c>service</c>: nothing asked for CoordinatedShutdown, so Akka.NET 1.5 has no signal hook and every signal takes its
/// default action while both endpoints are live (exit 128 + signal; .NET 10 raises no ProcessExit for SIGTERM).
/// <c>coordinated</c>: CoordinatedShutdown was used, so Akka's hook cancels SIGTERM and SIGINT, runs
/// CoordinatedShutdown and Main returns (exit 0). Either way the process is gone within 20 s and leaves nothing.
/// <c>cancelled</c>: an app that cancels SIGTERM to shut down in its own time, with a handler registered once its
/// systems run, keeps every name of its endpoints until its own shutdown (exit 0 only if so), then leaves nothing.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class SignalledProcessSpec(ITestOutputHelper output) : ProcessExitSpec(new ProcessExitConfig(1), output)
{
    [MultiNodeFact]
    public void A_service_gets_SIGTERM() => Run("service", Signum.SIGTERM, 128 + 15);

    [MultiNodeFact]
    public void A_service_gets_SIGINT() => Run("service", Signum.SIGINT, 128 + 2);

    [MultiNodeFact]
    public void A_service_gets_SIGQUIT() => Run("service", Signum.SIGQUIT, 128 + 3);

    [MultiNodeFact]
    public void A_service_gets_SIGHUP() => Run("service", Signum.SIGHUP, 128 + 1);

    [MultiNodeFact]
    public void A_coordinated_app_gets_SIGTERM() => Run("coordinated", Signum.SIGTERM, 0);

    [MultiNodeFact]
    public void A_coordinated_app_gets_SIGINT() => Run("coordinated", Signum.SIGINT, 0);

    /// <summary>Exit code 0 only if every name was still there once all SIGTERM handlers ran (NAMES-KEPT).</summary>
    [MultiNodeFact]
    public void A_cancelled_SIGTERM_releases_nothing_before_the_apps_own_shutdown() => Run("cancelled", Signum.SIGTERM, 0);

    private void Run(string ending, Signum signal, int expectedExitCode)
    {
        var leaver = ExitConfig.Leavers[0];
        RunOn(() => RunApp(ending), leaver);
        RunOn(() =>
        {
            EnterBarrier("running");
            var clock = Stopwatch.StartNew();
            int exitCode = TestConductor.Signal(leaver, signal).Result;
            Output!.WriteLine($"{ending}: exited {clock.ElapsedMilliseconds} ms after {signal}, code {exitCode}");
            Assert.True(clock.Elapsed < ExitTimeout, $"the app was still running {ExitTimeout.TotalSeconds} s after {signal}");
            Assert.Equal(expectedExitCode, exitCode);
            AssertNothingLeft(leaver, $"{ending} {signal}");
        }, ExitConfig.Observer);
        EnterBarrier("signalled");
    }

    /// <summary>The app: runs, says so at a barrier, and ends as its kind does once signalled.</summary>
    private void RunApp(string ending)
    {
        var pingPong = RemotePingPong.Exchange(Sys.Settings.Config);
        if (ending == "cancelled")
        {
            string directory = DirectoryOf(Myself);
            using (pingPong.CancelTermination())
            {
                var namesAtReady = RemotePingPong.NamesOf(directory);
                EnterBarrier("running");
                pingPong.Cancelled.Wait();
                var names = RemotePingPong.NamesOf(directory);
                bool kept = names.Length > 0 && names.SequenceEqual(namesAtReady);
                Console.Out.WriteLine(kept ? "NAMES-KEPT" : $"NAMES-GONE: {string.Join(", ", names)} of {string.Join(", ", namesAtReady)}");
                Task.WhenAll(pingPong.First.Terminate(), pingPong.Second.Terminate()).Wait();
                LeaveProcess(ProcessEnding.ReturnFromMain, kept ? 0 : 6);
            }
        }
        if (ending == "coordinated")
        {
            Akka.Actor.CoordinatedShutdown.Get(pingPong.First);
            Akka.Actor.CoordinatedShutdown.Get(pingPong.Second);
        }
        EnterBarrier("running");
        Task.WhenAll(pingPong.First.WhenTerminated, pingPong.Second.WhenTerminated).Wait();
        LeaveProcess(ProcessEnding.ReturnFromMain, 0);
    }
}
