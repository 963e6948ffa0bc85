using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// SIGSTOP of B, a hybrid member co-located with A (C hybrid in another directory), for 10 s, with the cluster failure
/// detector's acceptable-heartbeat-pause at 20 s and down-dead-peers on: a frozen process holds its endpoint lock, so
/// nothing treats it as dead: it is never disassociated, downed or removed on A or C, and after SIGCONT the streams it
/// was part of (B to A over shared memory, B to C over TCP, A and C to B; 15 000 payloads each, spread over 20 s, in
/// flight for the whole freeze) complete in order with every byte checked and nothing lost; all three are Up and A-B
/// still holds no TCP connection. (Ported from the NodeHost harness's HybridMemberFreezeTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberFreezeSpec : ClusterMemberSpec
{
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(10);
    private const int StreamLength = 15_000;
    private const int StreamMilliseconds = 20_000;
    private readonly HybridMembersConfig _config;

    public HybridMemberFreezeSpec(ITestOutputHelper output) : this(new HybridMembersConfig("on", heartbeatPause: "20s"), output)
    {
    }

    private HybridMemberFreezeSpec(HybridMembersConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact(Timeout = 180_000)]
    public void A_co_located_member_frozen_for_10_s_is_never_downed_and_its_streams_complete_in_order()
    {
        var log = MemberEventLog.Start(Sys);
        var b = GetAddress(_config.B);
        var members = _config.Members.Select(GetAddress).ToList();
        Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { GetAddress(_config.A) }); // retried until the seed answers, unlike Join
        AwaitAllUp(Sys, members);
        EnterBarrier("all-up");

        long streamsFrom = Stopwatch.GetTimestamp();
        IReadOnlyList<Address> peers = Myself == _config.B ? [GetAddress(_config.A), GetAddress(_config.C)] : [b];
        var stream = PayloadStream.Start(Sys, StreamLength, ClusterNodeConfigs.MaxPayload, StreamMilliseconds, peers, StepTimeout);
        Assert.True(stream.Started.Wait(StepTimeout), "the stream did not start");
        EnterBarrier("streaming");

        RunOn(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(1)); // every stream has been flowing for a second
            var frozenFor = Stopwatch.StartNew();
            TestConductor.Freeze(_config.B).Wait();
            try
            {
                Thread.Sleep(Freeze);
            }
            finally
            {
                TestConductor.Thaw(_config.B).Wait();
            }
            Output?.WriteLine($"B frozen for {frozenFor.Elapsed.TotalSeconds:F1} s mid-stream");
        }, _config.A);
        EnterBarrier("thawed");
        // Paced over 20 s from before the freeze: a stream that ended already was not in flight for all of it.
        Assert.False(stream.Done.IsCompleted, $"{Myself.Name}'s stream ended during the freeze: it was not in flight");

        Assert.True(stream.Done.Wait(StepTimeout), $"{Myself.Name}'s stream did not finish within {StepTimeout}");
        Assert.Null(stream.Done.Result);
        Output?.WriteLine($"{Myself.Name}: {StreamLength} payloads to {string.Join(", ", peers)} arrived in order, every byte checked");
        EnterBarrier("streams-done");

        RunOn(() =>
        {
            var aboutB = log.Events.Where(e => e.Address == b && e.Ticks >= streamsFrom).ToList();
            Output?.WriteLine($"{Myself.Name} about B since the streams began: {(aboutB.Count == 0 ? "nothing" : string.Join(" | ", aboutB))}");
            Assert.DoesNotContain(aboutB, e => e.Kind is MemberEventKind.Disassociated or MemberEventKind.Downed or MemberEventKind.Removed);
        }, _config.A, _config.C);
        AwaitAllUp(Sys, members);
        RunOn(() => Assert.Empty(TcpBetween(Environment.ProcessId, PidOf(_config.B), "A", "B")), _config.A);
        EnterBarrier("checked");
    }
}
