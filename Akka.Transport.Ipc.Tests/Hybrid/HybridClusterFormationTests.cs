using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// Two simulated hosts on one machine: A and B hybrid in IPC directory X, C hybrid in directory Y ("elsewhere"), D plain
/// dot-netty without this transport; all on 127.0.0.1, port 0. They form one cluster (seed A), every ordered pair
/// streams numbered payloads (order, completeness and every byte checked), and the kernel's TCP table shows the
/// channels: no TCP connection between A and B (shared memory), at least one between every other pair.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridClusterFormationTests(ITestOutputHelper output) : ClusterSpec(output)
{
    private const int MessagesPerPair = 3000;

    [Fact]
    public async Task Four_members_on_two_hosts_and_plain_dot_netty_form_one_cluster_and_only_co_located_ones_skip_tcp()
    {
        var x = IpcDirectory;
        var y = NewIpcDirectory();
        var a = await StartMemberAsync("A", NodeKinds.Hybrid, x, seed: null);
        var b = await StartMemberAsync("B", NodeKinds.Hybrid, x, seed: a);
        var c = await StartMemberAsync("C", NodeKinds.Hybrid, y, seed: a);
        var d = await StartMemberAsync("D", NodeKinds.Tcp, y, seed: a);
        foreach (var node in new[] { a, b, c, d })
        {
            Assert.Equal("akka.tcp", node.Address.Protocol);
            Assert.Equal("127.0.0.1", node.Address.Host);
        }
        await AwaitAllUpAsync([a, b, c, d], StepTimeout);

        await ExchangeAllPairsAsync(MessagesPerPair, a, b, c, d);

        var pairs = new[] { (a, b, "A", "B"), (a, c, "A", "C"), (a, d, "A", "D"), (b, c, "B", "C"), (b, d, "B", "D"), (c, d, "C", "D") };
        var connections = pairs.ToDictionary(p => $"{p.Item3}-{p.Item4}", p => TcpBetween(p.Item1, p.Item2, p.Item3, p.Item4).Count);
        Assert.True(connections["A-B"] == 0, "A and B share directory X: their association must not be TCP");
        foreach (var (pair, count) in connections.Where(p => p.Key != "A-B"))
            Assert.True(count >= 1, $"{pair} are not co-located (another directory or a plain node): expected a TCP connection, found none");


        // The transport's own word agrees: A's endpoint in X lists B, over shared memory, and nobody else.
        var reported = await IpcAssociationsAsync(x, a, b.Address);
        Assert.Contains(reported, r => Names(r.Peer, b.Address) && r.Channel == "shm");
        Assert.All(reported, r => Assert.True(Names(r.Peer, b.Address), $"A reports an IPC association with {r.Peer}, which is not co-located"));

        await ShutdownAndVerifyAsync();
    }
}
