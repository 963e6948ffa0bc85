using Akka.Actor;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class KilledEverythingConfig : MultiNodeConfig
{
    public KilledEverythingConfig(string mode)
    {
        Mode = mode;
        Survivor = Role("survivor");
        A = Role("a");
        B = Role("b");
        CommonConfig = ModeConfig.For(mode);
    }

    public string Mode { get; }

    /// <summary>Lives in the directory throughout (the harness's test system), kills the others and checks.</summary>
    public RoleName Survivor { get; }

    public RoleName A { get; }

    public RoleName B { get; }
}

/// <summary>
/// Every other process of a directory killed with SIGKILL mid-traffic (after 1 000 pings, with a million-number
/// stream in flight): they leave debris (in shm mode both doorbells); the next endpoint started there takes the dead
/// A's port (same address), and its start removes everything B left, every segment and FIFO, and B's doorbell, so
/// only the live endpoints' accept/life/lock (and stats) files remain; the run ends with no unexpected ERROR and the
/// directory empty. (Ported from the NodeHost harness's KilledEverythingTests.)
/// </summary>
public abstract class KilledEverythingSpec(KilledEverythingConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [MultiNodeFact]
    public void After_everyone_is_killed_the_next_endpoint_sweeps_all_debris_and_takes_a_dead_port()
    {
        RunOn(() => Sys.ActorOf(Props.Create<PerSenderVerifier>(), "per-sender-verifier"), config.A);
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), config.B);
        EnterBarrier("started");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(config.B) / "user" / "echo").ResolveOne(Timeout).Result;
            Pings.Run(Sys, echo, 1000, Timeout);
        }, config.A);
        EnterBarrier("pinged");
        RunOn(() =>
        {
            // Traffic in flight when they die: B never finishes this stream.
            var verifier = Sys.ActorSelection(Node(config.A) / "user" / "per-sender-verifier").ResolveOne(Timeout).Result;
            _ = Task.Run(() =>
            {
                for (int i = 0; i < 1_000_000; i++)
                    verifier.Tell(i, TestActor);
            });
        }, config.B);
        EnterBarrier("producing");

        RunOn(() =>
        {
            Thread.Sleep(200);
            TestConductor.Kill(config.A).Wait();
            TestConductor.Kill(config.B).Wait();
            AssertSweptByNextEndpoint();
        }, config.Survivor);

        ShutdownAndVerify(config.Survivor);
    }

    private void AssertSweptByNextEndpoint()
    {
        var names = new ChannelNames(IpcDirectory);
        var a = GetAddress(config.A);
        int[] dead = [a.Port!.Value, GetAddress(config.B).Port!.Value];
        var debris = Directory.GetFileSystemEntries(IpcDirectory);
        Output!.WriteLine($"left by the killed nodes: {string.Join(", ", debris.Select(Path.GetFileName))}");
        Assert.NotEmpty(debris);
        if (config.Mode == "shm")
            Assert.All(dead, port => Assert.True(File.Exists(SemaphoreFile(names, port)), $"no doorbell of {port} to sweep"));

        // The next endpoint takes A's port.
        var phoenix = ActorSystem.Create(Sys.Name, ClusterNodeConfigs.OnPort(Sys.Settings.Config, dead[0]));
        var phoenixErrors = ErrorLogCollector.Install(phoenix);
        try
        {
            Assert.Equal(a, ((ExtendedActorSystem)phoenix).Provider.DefaultAddress);
            var left = Directory.GetFileSystemEntries(IpcDirectory).Select(Path.GetFileName).ToList();
            Assert.DoesNotContain(left, name => name!.StartsWith($"{dead[1]}", StringComparison.Ordinal));
            Assert.DoesNotContain(left, name => name!.EndsWith(".seg", StringComparison.Ordinal) || name!.EndsWith(".c2s", StringComparison.Ordinal) || name!.EndsWith(".s2c", StringComparison.Ordinal));
            int self = SelfAddress.Port!.Value; // this role's own system lives in the directory too
            string[] Endpoint(int port) => [$"{port}.accept", $"{port}.life", $"{port}.lock"];
            // Live endpoints also publish <port>.stats (and, for an instant, .stats-new) on a timer: not debris.
            var liveNames = left.Where(n => !n!.EndsWith(".stats", StringComparison.Ordinal) && !n!.EndsWith(".stats-new", StringComparison.Ordinal));
            Assert.Equal(Endpoint(dead[0]).Concat(Endpoint(self)).Order(), liveNames.Order());
            Assert.False(File.Exists(SemaphoreFile(names, dead[1])));
        }
        finally
        {
            Assert.True(phoenix.Terminate().Wait(ShutdownLimit), "the endpoint on A's port did not terminate");
        }
        phoenixErrors.AssertNoUnexpectedErrors();
    }

    private static string SemaphoreFile(ChannelNames names, int port) => "/dev/shm/sem." + names.Doorbell(port).TrimStart('/');
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmKilledEverythingSpec(ITestOutputHelper output) : KilledEverythingSpec(new KilledEverythingConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoKilledEverythingSpec(ITestOutputHelper output) : KilledEverythingSpec(new KilledEverythingConfig("fifo"), output);
