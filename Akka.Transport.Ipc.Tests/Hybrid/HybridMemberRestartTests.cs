using Akka.Actor;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// B, a hybrid member co-located with A (C hybrid in another directory), killed with SIGKILL and restarted on the same
/// dot-netty port: the new incarnation (another UID, same address) rejoins and is Up on every member, A and B talk over
/// shared memory again (no TCP connection between their processes) and C reaches it over TCP.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberRestartTests(ITestOutputHelper output) : ClusterSpec(output)
{
    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public async Task A_co_located_member_restarted_on_its_port_after_kill_9_rejoins_and_talks_over_shared_memory_again(string downDeadPeers)
    {
        var x = IpcDirectory;
        var y = NewIpcDirectory();
        var a = await StartMemberAsync("A", NodeKinds.Hybrid, x, seed: null, downDeadPeers: downDeadPeers);
        var b = await StartMemberAsync("B", NodeKinds.Hybrid, x, seed: a, downDeadPeers: downDeadPeers);
        var c = await StartMemberAsync("C", NodeKinds.Hybrid, y, seed: a, downDeadPeers: downDeadPeers);
        await AwaitAllUpAsync([a, b, c], StepTimeout);
        await ExchangeAllPairsAsync(500, a, b, c);
        Assert.Empty(TcpBetween(a, b, "A", "B"));
        int oldUid = (await MembersAsync(a))[b.Address].Uid;

        b.Kill();
        // Its start also sweeps what the killed incarnation left in directory X.
        var b2 = await StartMemberAsync("B2", NodeKinds.Hybrid, x, seed: a, port: b.Address.Port!.Value, downDeadPeers: downDeadPeers);
        Assert.Equal(b.Address, b2.Address);
        await AwaitAllUpAsync([a, b2, c], StepTimeout, new Dictionary<Address, int> { [b.Address] = oldUid });
        int newUid = (await MembersAsync(a))[b.Address].Uid;
        TestOutput.WriteLine($"down-dead-peers = {downDeadPeers}: B restarted on port {b.Address.Port} (uid {oldUid} -> {newUid}) is Up on every member");

        await ExchangeAllPairsAsync(1000, a, b2, c);
        var tcp = TcpBetween(a, b2, "A", "B2");
        Assert.True(tcp.Count == 0, $"A and the restarted B share directory X, yet they hold TCP connection(s) {string.Join(", ", tcp)} "
            + "(A's end first): an association between them went over the network");
        Assert.NotEmpty(TcpBetween(c, b2, "C", "B2"));
        // Whatever reacted to the first incarnation's death never touched the second.
        foreach (var observer in new[] { a, c })
            Assert.DoesNotContain(observer.OutputLines, l => l.StartsWith("MEMBER-", StringComparison.Ordinal) && !l.StartsWith("MEMBER-UP ", StringComparison.Ordinal)
                && l.Contains($" {b.Address} {newUid} ", StringComparison.Ordinal));
        await ShutdownAndVerifyAsync();
    }
}
