using System.Diagnostics;
using Akka.Actor;
using Akka.Remote;
using Akka.TestKit;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class CertainDeathDeathWatchConfig : MultiNodeConfig
{
    public CertainDeathDeathWatchConfig()
    {
        Watcher = Role("watcher");
        Peer = Role("peer");
        CommonConfig = ModeConfig.For("auto");
    }

    public RoleName Watcher { get; }

    /// <summary>Hosts the watched echo; frozen and/or SIGKILLed.</summary>
    public RoleName Peer { get; }
}

/// <summary>
/// Remote DeathWatch across processes in plain akka.ipc mode, with Akka's default watch failure detector: an actor in
/// a SIGKILLed peer is reported Terminated (for the lost address) within 1.5 s of the SIGKILL (Akka's detector alone
/// takes ~12.6 s), and a peer frozen with SIGSTOP for 10 s is not reported at all (no Terminated, no
/// PeerEndpointTerminated, QuarantinedEvent or DisassociatedEvent), serves 10 asks after SIGCONT and its later SIGKILL
/// still counts within 1.5 s. A sweeping endpoint, then clean shutdown, no unexpected ERROR, empty directory.
/// (Ported from the NodeHost harness's CertainDeathDeathWatchTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class CertainDeathDeathWatchSpec : HarnessCheckedSpec
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TerminatedBound = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(10);
    private readonly CertainDeathDeathWatchConfig _config;

    public CertainDeathDeathWatchSpec(ITestOutputHelper output) : this(new CertainDeathDeathWatchConfig(), output)
    {
    }

    private CertainDeathDeathWatchSpec(CertainDeathDeathWatchConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void A_watcher_gets_Terminated_for_an_actor_in_a_SIGKILLed_peer_within_1_5_s()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), _config.Peer);
        EnterBarrier("echo-started");
        RunOn(() =>
        {
            var (watcher, echo) = WatchEcho();
            var elapsed = KillAndExpectTerminated(watcher, echo);
            Output!.WriteLine($"kill -9 -> Terminated: {elapsed.TotalMilliseconds:F0} ms");
            SweepWithNewEndpoint(); // removes what the killed peer left behind, as any new endpoint does
        }, _config.Watcher);
        ShutdownAndVerify(_config.Watcher);
    }

    [MultiNodeFact]
    public void A_peer_frozen_for_ten_seconds_is_not_reported_dead_and_serves_on_until_it_is_killed()
    {
        RunOn(() => Sys.ActorOf(Props.Create<Echo>(), "echo"), _config.Peer);
        EnterBarrier("echo-started");
        RunOn(() =>
        {
            var (watcher, echo) = WatchEcho();
            var reactions = CreateTestProbe();
            Sys.EventStream.Subscribe(reactions.Ref, typeof(PeerEndpointTerminated));
            Sys.EventStream.Subscribe(reactions.Ref, typeof(QuarantinedEvent));
            Sys.EventStream.Subscribe(reactions.Ref, typeof(DisassociatedEvent));

            TestConductor.Freeze(_config.Peer).Wait();
            try
            {
                // A frozen process holds its lock and its descriptors: nothing may say it died.
                watcher.ExpectNoMsg(Freeze);
                reactions.ExpectNoMsg(TimeSpan.Zero);
            }
            finally
            {
                TestConductor.Thaw(_config.Peer).Wait();
            }
            for (int i = 0; i < 10; i++)
                Assert.Equal($"thawed {i}", echo.Ask<string>($"thawed {i}", Timeout).Result);
            watcher.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
            reactions.ExpectNoMsg(TimeSpan.Zero);

            // Still watched, and its real death still counts at once.
            var elapsed = KillAndExpectTerminated(watcher, echo);
            Output!.WriteLine($"after a 10 s freeze: kill -9 -> Terminated: {elapsed.TotalMilliseconds:F0} ms");
            SweepWithNewEndpoint();
        }, _config.Watcher);
        ShutdownAndVerify(_config.Watcher);
    }

    /// <summary>A probe watching the peer's echo, the watch established on both sides.</summary>
    private (TestProbe Watcher, IActorRef Echo) WatchEcho()
    {
        var echo = Sys.ActorSelection(Node(_config.Peer) / "user" / "echo").ResolveOne(Timeout).Result;
        var watcher = CreateTestProbe();
        watcher.Watch(echo);
        RemoteWatchProbe.WatchEstablishedAsync(Sys, echo, watcher.Ref, echo, Timeout).Wait();
        return (watcher, echo);
    }

    /// <summary>Has the peer SIGKILLed; the Terminated must reach the probe within the bound, timed from the signal.</summary>
    private TimeSpan KillAndExpectTerminated(TestProbe watcher, IActorRef echo)
    {
        long killedAt = TestConductor.Kill(_config.Peer).Result;
        var left = TerminatedBound - Stopwatch.GetElapsedTime(killedAt);
        var terminated = watcher.ExpectMsg<Terminated>(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        var elapsed = Stopwatch.GetElapsedTime(killedAt);
        Assert.Equal(echo, terminated.ActorRef);
        Assert.True(terminated.AddressTerminated, $"expected a Terminated for the lost address, got {terminated}");
        Assert.True(elapsed <= TerminatedBound, $"Terminated {elapsed.TotalMilliseconds:F0} ms after SIGKILL; the bound is {TerminatedBound.TotalMilliseconds} ms");
        return elapsed;
    }
}
