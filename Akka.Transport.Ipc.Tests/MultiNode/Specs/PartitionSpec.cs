using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;
using static Akka.Cluster.ClusterEvent;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class PartitionConfig : MultiNodeConfig
{
    public PartitionConfig()
    {
        Majority = new[] { Role("a1"), Role("a2"), Role("a3") };
        Minority = new[] { Role("b1"), Role("b2") };
        CommonConfig = ClusterSpecConfig.KeepMajority;
        TestTransport = true;
    }

    public RoleName[] Majority { get; }

    public RoleName[] Minority { get; }
}

/// <summary>
/// Five members over IPC with Akka.Remote's throttler adapter: the conductor blackholes every link between three
/// members and two. The split-brain resolver (keep-majority) keeps the three, which remove the two; the two down
/// themselves and their systems shut down. Then PassThrough heals the links, and the two come back as new
/// incarnations on their old addresses and rejoin: all five are Up again.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PartitionSpec : MultiNodeSpec
{
    private static readonly TimeSpan Resolution = TimeSpan.FromSeconds(20);
    private readonly PartitionConfig _config;

    public PartitionSpec(ITestOutputHelper output) : this(new PartitionConfig(), output)
    {
    }

    private PartitionSpec(PartitionConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void A_blackhole_partition_is_resolved_by_keep_majority_and_healed_with_pass_through()
    {
        var cluster = Akka.Cluster.Cluster.Get(Sys);
        cluster.JoinSeedNodes(new[] { GetAddress(_config.Majority[0]) }); // retried until the seed answers, unlike Join
        AwaitAssert(() => Assert.Equal(5, cluster.State.Members.Count(m => m.Status == MemberStatus.Up)), Resolution);
        EnterBarrier("all-up");

        RunOn(() => EveryCrossLink(TestConductor.Blackhole), _config.Majority[0]);
        EnterBarrier("partitioned");

        RunOn(() => AwaitAssert(() =>
        {
            var members = cluster.State.Members.Select(m => m.Address).ToHashSet();
            Assert.Equal(_config.Majority.Select(GetAddress).ToHashSet(), members);
            Assert.Empty(cluster.State.Unreachable);
        }, Resolution), _config.Majority);
        RunOn(() => Assert.True(Sys.WhenTerminated.Wait(Resolution), "a minority member did not down itself"), _config.Minority);
        EnterBarrier("resolved");

        RunOn(() => EveryCrossLink(TestConductor.PassThrough), _config.Majority[0]);
        EnterBarrier("healed");

        ActorSystem? rejoined = null;
        RunOn(() =>
        {
            // A new incarnation on the old address: reachable only because the majority's links pass through again.
            var old = GetAddress(Myself);
            rejoined = ActorSystem.Create(Sys.Name, ConfigurationFactory.ParseString($"akka.remote.ipc.port = {old.Port}")
                .WithFallback(Sys.Settings.Config));
            var again = Akka.Cluster.Cluster.Get(rejoined);
            again.JoinSeedNodes(new[] { GetAddress(_config.Majority[0]) }); // retried until the seed answers, unlike Join
            AwaitAssert(() => Assert.Equal(5, again.State.Members.Count(m => m.Status == MemberStatus.Up)), Resolution);
        }, _config.Minority);
        RunOn(() => AwaitAssert(() => Assert.Equal(5, cluster.State.Members.Count(m => m.Status == MemberStatus.Up)), Resolution),
            _config.Majority);
        EnterBarrier("rejoined");
        rejoined?.Terminate().Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>Applies <paramref name="command"/> to every majority–minority link, both directions, on the majority side.</summary>
    private void EveryCrossLink(Func<RoleName, RoleName, ThrottleTransportAdapter.Direction, Task> command)
    {
        foreach (var a in _config.Majority)
        {
            foreach (var b in _config.Minority)
                command(a, b, ThrottleTransportAdapter.Direction.Both).Wait();
        }
    }
}
