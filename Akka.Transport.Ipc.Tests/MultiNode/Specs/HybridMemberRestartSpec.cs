using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// B, a hybrid member co-located with A (C hybrid in another directory), killed with SIGKILL and restarted on the same
/// dot-netty port by another process (role b2, in A's directory): the new incarnation (another uid, same address)
/// rejoins and is Up on every member, A and B talk over shared memory again (no TCP connection between their
/// processes, after 1000 payloads each way) and C reaches it over TCP; nothing that reacted to the first incarnation's
/// death touches the second. (Ported from the NodeHost harness's HybridMemberRestartTests.)
/// </summary>
public abstract class HybridMemberRestartSpec(HybridMembersConfig config, ITestOutputHelper output) : ClusterMemberSpec(config, output)
{
    [MultiNodeFact]
    public void A_co_located_member_restarted_on_its_port_after_kill_9_rejoins_and_talks_over_shared_memory_again()
    {
        var b2 = config.B2!;
        var log = MemberEventLog.Start(Sys);
        var b = GetAddress(config.B);
        var members = config.Members.Select(GetAddress).ToList();
        long oldUid = 0;
        RunOn(() => oldUid = JoinAndExchange(GetAddress(config.A), members, 500, b), config.Members);
        EnterBarrier("exchanged");
        RunOn(() => Assert.Empty(TcpBetween(Environment.ProcessId, PidOf(config.B), "A", "B")), config.A);
        EnterBarrier("checked");

        RunOn(() => TestConductor.Kill(config.B).Wait(), config.A);
        EnterBarrier("b-killed");

        // Its start also sweeps what the killed incarnation left in directory X.
        ActorSystem? restarted = null;
        RunOn(() => restarted = RestartOnPort(b, GetAddress(config.A), members), b2);
        RunOn(() =>
        {
            AwaitAllUp(Sys, members, (b, oldUid));
            Output?.WriteLine($"down-dead-peers = {config.DownDeadPeers}: B restarted on port {b.Port} (uid {oldUid} -> {UidOf(Sys, b)}) is Up on {Myself.Name}");
        }, config.A, config.C);
        EnterBarrier("b2-up");

        var self = restarted ?? Sys;
        RunOn(() => Exchange(self, 1000, 1000 / 3, members.Where(m => m != Akka.Cluster.Cluster.Get(self).SelfAddress)), config.A, b2, config.C);
        EnterBarrier("exchanged-again");

        RunOn(() =>
        {
            var tcp = TcpBetween(Environment.ProcessId, PidOf(config.B), "A", "B2");
            Assert.True(tcp.Count == 0, $"A and the restarted B share directory X, yet they hold TCP connection(s) {string.Join(", ", tcp)} "
                + "(A's end first): an association between them went over the network");
        }, config.A);
        RunOn(() => Assert.NotEmpty(TcpBetween(Environment.ProcessId, PidOf(config.B), "C", "B2")), config.C);
        RunOn(() => AssertRestartUntouched(log, b, "B"), config.A, config.C);
        EnterBarrier("checked-again");

        RunOn(() => LeaveAndTerminate(restarted!, "B"), b2);
        EnterBarrier("b2-left");
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberRestartDownDeadPeersOnSpec(ITestOutputHelper output)
    : HybridMemberRestartSpec(new HybridMembersConfig("on", withRestart: true), output);

[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberRestartDownDeadPeersOffSpec(ITestOutputHelper output)
    : HybridMemberRestartSpec(new HybridMembersConfig("off", withRestart: true), output);
