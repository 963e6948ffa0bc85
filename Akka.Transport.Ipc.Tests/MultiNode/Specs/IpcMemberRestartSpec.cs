using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>Three plain akka.ipc members in one IPC directory, and b2, which starts B's next incarnation on B's port.</summary>
public sealed class IpcMembersConfig : MultiNodeConfig
{
    public IpcMembersConfig(string downDeadPeers)
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        B2 = Role("b2");
        DownDeadPeers = downDeadPeers;
        CommonConfig = ClusterNodeConfigs.Cluster(downDeadPeers);
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }

    /// <summary>Not a member at first: right after B's kill it starts B's next incarnation on B's IPC port.</summary>
    public RoleName B2 { get; }

    public string DownDeadPeers { get; }

    public RoleName[] Members => [A, B, C];
}

/// <summary>
/// The fast restart of a plain akka.ipc member: B is killed with SIGKILL while the members exchange payloads, and its
/// next incarnation (another uid, the same address) starts on B's IPC port at once, inside the moment in which the
/// survivors' Akka.Remote quarantines the dead one (the hybrid spec's lost InitJoinAck came from there). It must join,
/// be Up on every member, and carry 1000 numbered payloads each way with A and C; nothing that reacted to the first
/// incarnation's death touches the second.
/// </summary>
public abstract class IpcMemberRestartSpec(IpcMembersConfig config, ITestOutputHelper output) : ClusterMemberSpec(config, output)
{
    [MultiNodeFact]
    public void A_member_restarted_on_its_ipc_port_right_after_kill_9_rejoins_and_talks_both_ways()
    {
        var log = MemberEventLog.Start(Sys);
        var b = GetAddress(config.B);
        var members = config.Members.Select(GetAddress).ToList();
        Assert.All(Roles, r => Assert.Equal("akka.ipc", GetAddress(r).Protocol));
        long oldUid = 0;
        RunOn(() =>
        {
            Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { GetAddress(config.A) }); // retried until the seed answers, unlike Join
            AwaitAllUp(Sys, members);
            Exchange(Sys, 500, 500 / 3, members.Where(m => m != GetAddress(Myself)));
            oldUid = UidOf(Sys, b);
        }, config.Members);
        EnterBarrier("exchanged");

        RunOn(() => TestConductor.Kill(config.B).Wait(), config.A);
        EnterBarrier("b-killed");

        ActorSystem? restarted = null;
        RunOn(() => restarted = RestartOnPort(b, GetAddress(config.A), members), config.B2);
        RunOn(() =>
        {
            AwaitAllUp(Sys, members, (b, oldUid));
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: B restarted on port {b.Port} (uid {oldUid} -> {UidOf(Sys, b)}) is Up on {Myself.Name}");
        }, config.A, config.C);
        EnterBarrier("b2-up");

        var self = restarted ?? Sys;
        RunOn(() => Exchange(self, 1000, 1000 / 3, members.Where(m => m != Akka.Cluster.Cluster.Get(self).SelfAddress)), config.A, config.B2, config.C);
        EnterBarrier("exchanged-again");

        RunOn(() =>
        {
            long newUid = UidOf(Sys, b);
            Assert.False(log.Events.Any(e => e.Address == b && e.Uid == newUid && e.Kind is not (MemberEventKind.Up or MemberEventKind.Disassociated)),
                $"a reaction reached the restarted B (uid {newUid}) on {Myself.Name}: {log.Describe()}");
        }, config.A, config.C);
        EnterBarrier("checked-again");

        RunOn(() =>
        {
            CoordinatedShutdown.Get(restarted!).Run(CoordinatedShutdown.ClrExitReason.Instance).Wait(StepTimeout);
            Assert.True(restarted!.WhenTerminated.Wait(StepTimeout), "the restarted B did not leave and terminate");
        }, config.B2);
        EnterBarrier("b2-left");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class IpcMemberRestartDownDeadPeersOnSpec(ITestOutputHelper output)
    : IpcMemberRestartSpec(new IpcMembersConfig("on"), output);
