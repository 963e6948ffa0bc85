using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// The cluster harness of the hybrid specs, proven with plain dot-netty members only (no IPC anywhere): formation from
/// a self-joined seed, every pair's numbered payload streams, the kernel's TCP table showing a connection between every
/// pair of members and none with a node they never talked to, kill -9 seen as a disassociation, a restart on the same
/// port rejoining as a new incarnation.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class PlainDotNettyClusterTests(ITestOutputHelper output) : ClusterSpec(output)
{
    [Fact]
    public async Task Three_plain_members_form_a_cluster_talk_over_tcp_and_a_killed_one_rejoins_on_its_port()
    {
        var a = await StartMemberAsync("A", NodeKinds.Tcp, IpcDirectory, seed: null);
        var b = await StartMemberAsync("B", NodeKinds.Tcp, IpcDirectory, seed: a);
        var c = await StartMemberAsync("C", NodeKinds.Tcp, IpcDirectory, seed: a);
        Assert.All(new[] { a, b, c }, n => Assert.Equal("akka.tcp", n.Address.Protocol));
        await AwaitAllUpAsync([a, b, c], StepTimeout);

        await ExchangeAllPairsAsync(2000, a, b, c);
        Assert.NotEmpty(TcpBetween(a, b, "A", "B"));
        Assert.NotEmpty(TcpBetween(a, c, "A", "C"));
        Assert.NotEmpty(TcpBetween(b, c, "B", "C"));
        // A dot-netty node that never associated with A: the helper reports connections between the two, not sockets.
        var loner = await StartNodeAsync(new NodeOptions(IpcDirectory.Path, 0, "Loner", RingSize, MaxFrame, Mode, Kind: NodeKinds.Tcp), "Loner");
        Assert.Empty(TcpBetween(a, loner, "A", "Loner"));

        await a.RequestAsync("WATCH-TIMED", "WATCHING-TIMED", StepTimeout);
        int oldUid = (await MembersAsync(a))[b.Address].Uid;
        long killedAt = Stopwatch.GetTimestamp();
        Assert.Equal(0, Syscall.kill(b.ProcessId, Signum.SIGKILL));
        string seen = await a.WaitForLineAsync(l => l.StartsWith($"DISASSOCIATED-AT {b.Address} ", StringComparison.Ordinal), StepTimeout);
        b.Kill();
        TestOutput.WriteLine($"dot-netty: A saw B disassociated {Since(killedAt, seen).TotalMilliseconds:F0} ms after kill -9");

        var b2 = await StartMemberAsync("B2", NodeKinds.Tcp, IpcDirectory, seed: a, port: b.Address.Port!.Value);
        Assert.Equal(b.Address, b2.Address);
        await AwaitAllUpAsync([a, b2, c], StepTimeout, new Dictionary<Address, int> { [b.Address] = oldUid });
        await ExchangeAllPairsAsync(500, a, b2, c);
        Assert.NotEmpty(TcpBetween(a, b2, "A", "B2"));

        await ShutdownAndVerifyAsync();
    }
}
