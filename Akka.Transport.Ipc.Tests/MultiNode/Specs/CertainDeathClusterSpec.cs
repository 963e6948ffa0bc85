using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class CertainDeathClusterConfig : MultiNodeConfig
{
    public CertainDeathClusterConfig(string downDeadPeers)
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        C2 = Role("c2");
        DownDeadPeers = downDeadPeers;
        CommonConfig = ClusterNodeConfigs.Cluster(downDeadPeers);
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }

    /// <summary>Not a member at first: after C's kill it starts C's next incarnation on C's port.</summary>
    public RoleName C2 { get; }

    public string DownDeadPeers { get; }

    public RoleName[] Members => [A, B, C];
}

/// <summary>
/// A three-member Akka.Cluster in plain akka.ipc mode, Akka's default failure detector and downing provider
/// (split-brain resolver, stable-after 20 s). kill -9 of C: A and B see it unreachable within 1.5 s of the kill
/// request (Akka's detector alone: ~4.5 s); with <c>down-dead-peers = on</c> they see it removed within 3 s, with it
/// off not within 3 s. A new incarnation on C's port (role c2) rejoins and stays Up for 5 s on A, B and itself: the
/// reactions to its predecessor's death never touch it. (Ported from the NodeHost harness's CertainDeathClusterTests.)
/// </summary>
public abstract class CertainDeathClusterSpec(CertainDeathClusterConfig config, ITestOutputHelper output) : ClusterMemberSpec(config, output)
{
    private static readonly TimeSpan UnreachableBound = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan RemovedBound = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan StaysUp = TimeSpan.FromSeconds(5);

    [MultiNodeFact]
    public void A_killed_member_is_unreachable_at_once_removed_only_with_down_dead_peers_and_its_restart_stays_up()
    {
        var log = MemberEventLog.Start(Sys);
        var c = GetAddress(config.C);
        var members = config.Members.Select(GetAddress).ToList();
        long oldUid = 0;
        RunOn(() =>
        {
            Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { GetAddress(config.A) }); // retried until the seed answers, unlike Join
            AwaitAllUp(Sys, members);
            oldUid = UidOf(Sys, c);
        }, config.Members);
        EnterBarrier("all-up");

        RunOn(() =>
        {
            // Timed from the SIGKILL itself (the conductor reports when it sent it), as the README states the bound.
            long killedAt = TestConductor.Kill(config.C).Result;
            SendTicks(config.B, killedAt);
            AfterKill(killedAt);
        }, config.A);
        RunOn(() => AfterKill(ExpectMsg<long>(StepTimeout)), config.B);
        EnterBarrier("c-dead");

        // The next incarnation on the same port: rejoins, and nothing of its predecessor's death touches it.
        ActorSystem? restarted = null;
        MemberEventLog? restartedLog = null;
        RunOn(() =>
        {
            restarted = ActorSystem.Create(Sys.Name, ClusterNodeConfigs.OnPort(Sys.Settings.Config, c.Port!.Value));
            restartedLog = MemberEventLog.Start(restarted);
            var cluster = Akka.Cluster.Cluster.Get(restarted);
            Assert.Equal(c, cluster.SelfAddress);
            cluster.JoinSeedNodes(new[] { GetAddress(config.A) }); // retried until the seed answers, unlike Join
            AwaitAllUp(restarted, members);
        }, config.C2);
        RunOn(() => AwaitAllUp(Sys, members, (c, oldUid)), config.A, config.B);
        EnterBarrier("c2-up");

        var (observer, observerLog) = restarted is null ? (Sys, log) : (restarted, restartedLog!);
        long newUid = UidOf(observer, c);
        RunOn(() =>
        {
            Assert.NotEqual(oldUid, newUid);
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: C restarted on port {c.Port} (uid {oldUid} -> {newUid}) is Up on {Myself.Name}");
        }, config.A, config.B);
        RunOn(() =>
        {
            Thread.Sleep(StaysUp);
            Assert.False(observerLog.Events.Any(e => e.Address == c && e.Uid == newUid && e.Kind != MemberEventKind.Up),
                $"the restarted C (uid {newUid}) did not stay Up on {Myself.Name}: {observerLog.Describe()}");
            AwaitAllUp(observer, members);
        }, config.A, config.B, config.C2);
        EnterBarrier("c2-stayed-up");

        RunOn(() => LeaveAndTerminate(restarted!, "C"), config.C2);
        EnterBarrier("c2-left");

        void AfterKill(long killedAt)
        {
            var unreachable = Stopwatch.GetElapsedTime(killedAt, log.Await(MemberEventKind.Unreachable, c, TimeSpan.FromSeconds(15), killedAt).Ticks);
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: {Myself.Name} saw C unreachable {unreachable.TotalMilliseconds:F0} ms after SIGKILL");
            Assert.True(unreachable <= UnreachableBound, $"{Myself.Name} saw C unreachable after {unreachable.TotalSeconds:F2} s, bound {UnreachableBound.TotalSeconds} s");
            if (config.DownDeadPeers == "on")
            {
                var removed = Stopwatch.GetElapsedTime(killedAt, log.Await(MemberEventKind.Removed, c, TimeSpan.FromSeconds(40), killedAt).Ticks);
                Output?.WriteLine($"down-dead-peers = on: {Myself.Name} saw C removed {removed.TotalMilliseconds:F0} ms after SIGKILL");
                Assert.True(removed <= RemovedBound, $"{Myself.Name} saw C removed after {removed.TotalSeconds:F2} s, bound {RemovedBound.TotalSeconds} s");
            }
            else
            {
                var left = RemovedBound - Stopwatch.GetElapsedTime(killedAt);
                if (left > TimeSpan.Zero)
                    Thread.Sleep(left);
                Assert.False(log.Events.Any(e => e.Address == c && e.Kind is MemberEventKind.Removed or MemberEventKind.Downed),
                    $"{Myself.Name} saw C downed or removed within {RemovedBound.TotalSeconds} s with down-dead-peers = off: {log.Describe()}");
                Output?.WriteLine($"down-dead-peers = off: C neither downed nor removed on {Myself.Name} {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after SIGKILL");
            }
        }
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class CertainDeathClusterDownDeadPeersOnSpec(ITestOutputHelper output)
    : CertainDeathClusterSpec(new CertainDeathClusterConfig("on"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class CertainDeathClusterDownDeadPeersOffSpec(ITestOutputHelper output)
    : CertainDeathClusterSpec(new CertainDeathClusterConfig("off"), output);
