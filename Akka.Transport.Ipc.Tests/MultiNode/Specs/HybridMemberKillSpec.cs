using System.Diagnostics;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>A and B hybrid members in IPC directory X, C in directory Y ("another host"); <c>down-dead-peers</c> as given.</summary>
public sealed class HybridMembersConfig : MultiNodeConfig
{
    public HybridMembersConfig(string downDeadPeers, string heartbeatPause = "", bool withRestart = false)
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        DownDeadPeers = downDeadPeers;
        var roles = new List<RoleName> { A, B, C };
        if (withRestart)
        {
            B2 = Role("b2");
            roles.Add(B2);
        }
        CommonConfig = ClusterNodeConfigs.Cluster(downDeadPeers, heartbeatPause);
        NodeConfig(roles, [ClusterNodeConfigs.Hybrid]);
        SeparateIpcDirectory("y", C);
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }

    /// <summary>Only with a restart: in directory X, not a member at first; after B's kill it starts B's next incarnation on B's port.</summary>
    public RoleName? B2 { get; }

    public string DownDeadPeers { get; }

    public RoleName[] Members => [A, B, C];
}

/// <summary>
/// kill -9 of B, a hybrid member co-located with A (directory X; C is hybrid in directory Y): A sees B disassociated
/// within 250 ms of SIGKILL (through the kernel, like akka.ipc), C sees it too (over TCP). With
/// <c>down-dead-peers = on</c> A sees B removed within 3 s (A's certain knowledge downs it); with it off, B is neither
/// downed nor removed on A or C within 3 s: Akka's own path only marks it unreachable, and the split-brain resolver
/// (stable-after 20 s) would down it 20 s after that, which the spec does not wait for (A downs it). The survivors
/// keep working over TCP. (Ported from the NodeHost harness's HybridMemberKillTests.)
/// </summary>
public abstract class HybridMemberKillSpec(HybridMembersConfig config, ITestOutputHelper output) : ClusterMemberSpec(config, output)
{
    private static readonly TimeSpan DisassociationBound = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RemovalBound = TimeSpan.FromSeconds(3);

    [MultiNodeFact]
    public void A_killed_co_located_member_is_disassociated_at_once_and_removed_within_3_s_only_with_down_dead_peers()
    {
        var log = MemberEventLog.Start(Sys);
        var b = GetAddress(config.B);
        var members = config.Members.Select(GetAddress).ToList();
        Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { GetAddress(config.A) }); // retried until the seed answers, unlike Join
        AwaitAllUp(Sys, members);
        EnterBarrier("all-up");

        // Every association carries traffic, A-B over shared memory.
        Exchange(Sys, 500, 500 / 3, members.Where(m => m != GetAddress(Myself)));
        EnterBarrier("exchanged");
        RunOn(() => Assert.Empty(TcpBetween(Environment.ProcessId, PidOf(config.B), "A", "B")), config.A);
        RunOn(() => Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(config.B), "C", "B")), config.C);
        EnterBarrier("channels-checked");

        long killedAt = 0;
        RunOn(() =>
        {
            // Timed from the SIGKILL itself (the conductor reports when it sent it), as the README states the bound.
            killedAt = TestConductor.Kill(config.B).Result;
            SendTicks(config.C, killedAt);
        }, config.A);
        RunOn(() => killedAt = ExpectMsg<long>(StepTimeout), config.C);
        RunOn(() =>
        {
            var seen = Stopwatch.GetElapsedTime(killedAt, log.Await(MemberEventKind.Disassociated, b, StepTimeout, killedAt).Ticks);
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: B disassociated on {Myself.Name} {seen.TotalMilliseconds:F0} ms after SIGKILL");
            RunOn(() => Assert.True(seen <= DisassociationBound,
                $"A saw B disassociated {seen.TotalMilliseconds:F0} ms after SIGKILL; bound {DisassociationBound.TotalMilliseconds} ms"), config.A);

            if (config.DownDeadPeers == "on")
            {
                RunOn(() =>
                {
                    var removed = Stopwatch.GetElapsedTime(killedAt, log.Await(MemberEventKind.Removed, b, StepTimeout, killedAt).Ticks);
                    Output?.WriteLine($"down-dead-peers = on: A saw B removed {removed.TotalMilliseconds:F0} ms after SIGKILL");
                    Assert.True(removed <= RemovalBound, $"A saw B removed {removed.TotalSeconds:F2} s after SIGKILL; bound {RemovalBound.TotalSeconds} s");
                }, config.A);
            }
            else
            {
                var left = RemovalBound - Stopwatch.GetElapsedTime(killedAt);
                if (left > TimeSpan.Zero)
                    Thread.Sleep(left);
                Assert.False(log.Events.Any(e => e.Address == b && e.Kind is MemberEventKind.Removed or MemberEventKind.Downed),
                    $"{Myself.Name} saw B downed or removed within {RemovalBound.TotalSeconds} s with down-dead-peers = off: {log.Describe()}");
                Output?.WriteLine($"down-dead-peers = off: B neither downed nor removed on {Myself.Name} {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after SIGKILL"
                    + (log.Events.Any(e => e.Address == b && e.Kind == MemberEventKind.Unreachable) ? " (unreachable)" : ""));
            }
        }, config.A, config.C);
        EnterBarrier("reacted");

        // Down it now (off), so the survivors converge; both see it removed.
        RunOn(() =>
        {
            if (config.DownDeadPeers == "off")
                Akka.Cluster.Cluster.Get(Sys).Down(b);
        }, config.A);
        RunOn(() => log.Await(MemberEventKind.Removed, b, StepTimeout), config.A, config.C);
        EnterBarrier("b-removed");

        // The survivors keep working, A and C over TCP.
        RunOn(() => Exchange(Sys, 500, 500 / 3, [GetAddress(config.C)]), config.A);
        RunOn(() => Exchange(Sys, 500, 500 / 3, [GetAddress(config.A)]), config.C);
        EnterBarrier("survived");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberKillDownDeadPeersOnSpec(ITestOutputHelper output)
    : HybridMemberKillSpec(new HybridMembersConfig("on"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberKillDownDeadPeersOffSpec(ITestOutputHelper output)
    : HybridMemberKillSpec(new HybridMembersConfig("off"), output);
