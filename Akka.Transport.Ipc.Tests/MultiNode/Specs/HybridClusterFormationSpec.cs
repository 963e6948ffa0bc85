using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

public sealed class HybridClusterFormationConfig : MultiNodeConfig
{
    public HybridClusterFormationConfig()
    {
        A = Role("a");
        B = Role("b");
        C = Role("c");
        D = Role("d");
        CommonConfig = ClusterNodeConfigs.Cluster(downDeadPeers: "off");
        NodeConfig([A, B, C], [ClusterNodeConfigs.Hybrid]);
        NodeConfig([D], [ClusterNodeConfigs.PlainDotNetty]);
        SeparateIpcDirectory("y", C, D);
    }

    public RoleName A { get; }

    public RoleName B { get; }

    public RoleName C { get; }

    public RoleName D { get; }
}

/// <summary>
/// Two simulated hosts on one machine: A and B hybrid in IPC directory X, C hybrid in directory Y ("elsewhere"), D plain
/// dot-netty without this transport; all on 127.0.0.1, port 0. They form one cluster (seed A), every ordered pair
/// streams 3000 numbered payloads (order, completeness and every byte checked), and the kernel's TCP table shows the
/// channels: no TCP connection between A and B (shared memory), at least one between every other pair; A's endpoint
/// reports B, over shared memory, as its only IPC association. (Ported from the NodeHost harness's
/// HybridClusterFormationTests.)
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridClusterFormationSpec : ClusterMemberSpec
{
    private const int MessagesPerPair = 3000;
    private readonly HybridClusterFormationConfig _config;

    public HybridClusterFormationSpec(ITestOutputHelper output) : this(new HybridClusterFormationConfig(), output)
    {
    }

    private HybridClusterFormationSpec(HybridClusterFormationConfig config, ITestOutputHelper output) : base(config, output) => _config = config;

    [MultiNodeFact]
    public void Four_members_on_two_hosts_and_plain_dot_netty_form_one_cluster_and_only_co_located_ones_skip_tcp()
    {
        var all = Roles.Select(GetAddress).ToList();
        foreach (var address in all)
        {
            Assert.Equal("akka.tcp", address.Protocol);
            Assert.Equal("127.0.0.1", address.Host);
        }
        Akka.Cluster.Cluster.Get(Sys).JoinSeedNodes(new[] { GetAddress(_config.A) }); // retried until the seed answers, unlike Join
        AwaitAllUp(Sys, all);
        EnterBarrier("all-up");

        Exchange(Sys, MessagesPerPair, MessagesPerPair / 3, all.Where(a => a != GetAddress(Myself)));
        EnterBarrier("exchanged");

        RunOn(() =>
        {
            var pids = Roles.ToDictionary(r => r, r => r == Myself ? Environment.ProcessId : PidOf(r));
            var pairs = Roles.SelectMany((x, i) => Roles.Skip(i + 1).Select(y => (x, y))).ToList();
            var connections = pairs.ToDictionary(p => $"{p.x.Name}-{p.y.Name}", p => TcpBetween(pids[p.x], pids[p.y], p.x.Name, p.y.Name).Count);
            Assert.True(connections["a-b"] == 0, "A and B share directory X: their association must not be TCP");
            foreach (var (pair, count) in connections.Where(p => p.Key != "a-b"))
                Assert.True(count >= 1, $"{pair} are not co-located (another directory or a plain node): expected a TCP connection, found none");

            // The transport's own word agrees: A's endpoint in X lists B, over shared memory, and nobody else.
            var b = GetAddress(_config.B);
            var reported = IpcAssociations(b);
            Assert.Contains(reported, r => Names(r.Peer, b) && r.Channel == "shm");
            Assert.All(reported, r => Assert.True(Names(r.Peer, b), $"A reports an IPC association with {r.Peer}, which is not co-located"));
        }, _config.A);
        EnterBarrier("checked");
    }
}
