using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// The fast restart of a plain akka.ipc member (the certain-death spec's three members, restarted at once instead of
/// after its checks): C is killed with SIGKILL after the members exchanged payloads, and its next incarnation (role c2:
/// another uid, the same address) starts on C's IPC port right away, inside the moment in which the survivors'
/// Akka.Remote quarantines the dead one. It must join, be Up on every member and carry 1000 numbered payloads each way
/// with A and B; nothing that reacted to the first incarnation's death touches the second. Without the hold-off after
/// a certain death (<c>RestartingPeers</c>) 2 of 34 runs lost the seed's InitJoinAck, as the hybrid restart spec did.
/// </summary>
public abstract class IpcMemberRestartSpec(CertainDeathClusterConfig config, ITestOutputHelper output) : ClusterMemberSpec(config, output)
{
    [MultiNodeFact]
    public void A_member_restarted_on_its_ipc_port_right_after_kill_9_rejoins_and_talks_both_ways()
    {
        var log = MemberEventLog.Start(Sys);
        var c = GetAddress(config.C);
        var members = config.Members.Select(GetAddress).ToList();
        Assert.All(Roles, r => Assert.Equal("akka.ipc", GetAddress(r).Protocol));
        long oldUid = 0;
        RunOn(() => oldUid = JoinAndExchange(GetAddress(config.A), members, 500, c), config.Members);
        EnterBarrier("exchanged");

        RunOn(() => TestConductor.Kill(config.C).Wait(), config.A);
        EnterBarrier("c-killed");

        ActorSystem? restarted = null;
        RunOn(() => restarted = RestartOnPort(c, GetAddress(config.A), members), config.C2);
        RunOn(() =>
        {
            AwaitAllUp(Sys, members, (c, oldUid));
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: C restarted on port {c.Port} (uid {oldUid} -> {UidOf(Sys, c)}) is Up on {Myself.Name}");
        }, config.A, config.B);
        EnterBarrier("c2-up");

        var self = restarted ?? Sys;
        RunOn(() => Exchange(self, 1000, 1000 / 3, members.Where(m => m != Akka.Cluster.Cluster.Get(self).SelfAddress)), config.A, config.B, config.C2);
        EnterBarrier("exchanged-again");

        RunOn(() => AssertRestartUntouched(log, c, "C"), config.A, config.B);
        EnterBarrier("checked-again");

        RunOn(() => LeaveAndTerminate(restarted!, "C"), config.C2);
        EnterBarrier("c2-left");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class IpcMemberRestartDownDeadPeersOnSpec(ITestOutputHelper output)
    : IpcMemberRestartSpec(new CertainDeathClusterConfig("on"), output);
