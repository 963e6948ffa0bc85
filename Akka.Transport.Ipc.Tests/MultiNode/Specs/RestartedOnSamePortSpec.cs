using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class RestartedOnSamePortConfig : MultiNodeConfig
{
    public RestartedOnSamePortConfig(string mode)
    {
        Tester = Role("tester");
        Client = Role("client");
        Phoenix = Role("phoenix");
        Successor = Role("successor");
        CommonConfig = ModeConfig.For(mode);
    }

    /// <summary>Never talked to the first incarnation; asks the second one at the end (the harness's test system).</summary>
    public RoleName Tester { get; }

    public RoleName Client { get; }

    /// <summary>The first incarnation, SIGKILLed.</summary>
    public RoleName Phoenix { get; }

    /// <summary>The process that restarts Phoenix on its port (a new ActorSystem of the same name, hence address).</summary>
    public RoleName Successor { get; }
}

/// <summary>
/// A node restarted as a new process on its old port after a crash (SIGKILL, after 100 pings from the client): the new
/// incarnation has the same address; the client's 100 pings get through again within 2 minutes (attempts of 4 s, a
/// second apart: Akka.Remote gates a failed address for a while, the transport must not stand in the way) and a third
/// system's ask is answered; clean shutdown, no unexpected ERROR, empty directory. (Ported from the NodeHost
/// harness's NodeSpecs.)
/// </summary>
public abstract class RestartedOnSamePortSpec(RestartedOnSamePortConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AttemptLimit = TimeSpan.FromSeconds(4);

    [MultiNodeFact(Timeout = 300_000)]
    public void A_node_restarted_on_the_same_port_after_a_crash_is_reachable_again()
    {
        var phoenix = GetAddress(config.Phoenix);
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), config.Phoenix);
        EnterBarrier("started");

        RunOn(() =>
        {
            var echo = Sys.ActorSelection(Node(config.Phoenix) / "user" / "echo").ResolveOne(StepTimeout).Result;
            Pings.Run(Sys, echo, 100, StepTimeout);
            TestConductor.Kill(config.Phoenix).Wait();
        }, config.Client);
        EnterBarrier("killed");

        ActorSystem? second = null;
        ErrorLogCollector? secondErrors = null;
        RunOn(() =>
        {
            second = ActorSystem.Create(Sys.Name, ClusterNodeConfigs.OnPort(Sys.Settings.Config, phoenix.Port!.Value));
            secondErrors = ErrorLogCollector.Install(second);
            second.ActorOf(Props.Create<Echo>(), "echo");
            Assert.Equal(phoenix, ((ExtendedActorSystem)second).Provider.DefaultAddress);
        }, config.Successor);
        EnterBarrier("restarted");

        RunOn(() => AwaitAssert(PingOnce, StepTimeout, TimeSpan.FromSeconds(1)), config.Client);
        RunOn(() => Assert.Equal("back",
            Sys.ActorSelection(new RootActorPath(phoenix) / "user" / "echo").Ask<string>("back", StepTimeout).Result), config.Tester);
        EnterBarrier("reached-again");

        RunOn(() =>
        {
            Assert.True(second!.Terminate().Wait(ShutdownLimit), "the restarted node did not terminate");
            secondErrors!.AssertNoUnexpectedErrors();
        }, config.Successor);
        ShutdownAndVerify(config.Tester);

        // One attempt gives up after 4 s, so attempts never queue behind one another.
        void PingOnce()
        {
            var attempt = Stopwatch.StartNew();
            var echo = Sys.ActorSelection(new RootActorPath(phoenix) / "user" / "echo").ResolveOne(AttemptLimit).Result;
            var left = AttemptLimit - attempt.Elapsed;
            Pings.Run(Sys, echo, 100, left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRestartedOnSamePortSpec(ITestOutputHelper output) : RestartedOnSamePortSpec(new RestartedOnSamePortConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRestartedOnSamePortSpec(ITestOutputHelper output) : RestartedOnSamePortSpec(new RestartedOnSamePortConfig("fifo"), output);
