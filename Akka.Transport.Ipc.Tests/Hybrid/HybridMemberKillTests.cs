using System.Diagnostics;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// kill -9 of B, a hybrid member co-located with A (directory X; C is hybrid in directory Y): A sees B disassociated
/// within 250 ms (through the kernel, like akka.ipc), C sees it too (over TCP). With <c>down-dead-peers = on</c> B is
/// removed from the cluster within 3 s of the kill (A's certain knowledge downs it); with it off, B is not removed
/// within 3 s: Akka's own path only marks it unreachable, and the downing provider (split-brain resolver, Akka's
/// default, stable-after 20 s; see IpcHocon.Cluster) downs it 20 s after that, which the test does not wait for.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberKillTests(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan DisassociationBound = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RemovalBound = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    public async Task A_killed_co_located_member_is_disassociated_at_once_and_removed_within_3_s_only_with_down_dead_peers(string downDeadPeers)
    {
        var x = IpcDirectory;
        var y = NewIpcDirectory();
        var a = await StartMemberAsync("A", NodeKinds.Hybrid, x, seed: null, downDeadPeers: downDeadPeers);
        var b = await StartMemberAsync("B", NodeKinds.Hybrid, x, seed: a, downDeadPeers: downDeadPeers);
        var c = await StartMemberAsync("C", NodeKinds.Hybrid, y, seed: a, downDeadPeers: downDeadPeers);
        await AwaitAllUpAsync([a, b, c], StepTimeout);
        await ExchangeAllPairsAsync(500, a, b, c); // every association carries traffic, A-B over shared memory
        Assert.Empty(TcpBetween(a, b, "A", "B"));
        Assert.NotEmpty(TcpBetween(c, b, "C", "B"));
        await a.RequestAsync("WATCH-TIMED", "WATCHING-TIMED", StepTimeout);
        await c.RequestAsync("WATCH-TIMED", "WATCHING-TIMED", StepTimeout);
        int linesA = a.OutputLines.Count, linesC = c.OutputLines.Count;

        // Signal first and time from there: Kill() also waits for the process and its output to end.
        long killedAt = Stopwatch.GetTimestamp();
        Assert.Equal(0, Syscall.kill(b.ProcessId, Signum.SIGKILL));
        b.Kill();
        var seenByA = Since(killedAt, await a.WaitForLineAsync(l => l.StartsWith($"DISASSOCIATED-AT {b.Address} ", StringComparison.Ordinal), StepTimeout, linesA));
        var seenByC = Since(killedAt, await c.WaitForLineAsync(l => l.StartsWith($"DISASSOCIATED-AT {b.Address} ", StringComparison.Ordinal), StepTimeout, linesC));
        TestOutput.WriteLine($"down-dead-peers = {downDeadPeers}: B disassociated on A {seenByA.TotalMilliseconds:F0} ms (shared memory), on C {seenByC.TotalMilliseconds:F0} ms (TCP) after kill -9");
        Assert.True(seenByA <= DisassociationBound, $"A saw B disassociated {seenByA.TotalMilliseconds:F0} ms after kill -9; bound {DisassociationBound.TotalMilliseconds} ms");

        string removedOnA = $"MEMBER-REMOVED {b.Address} ";
        if (downDeadPeers == "on")
        {
            var removed = Since(killedAt, await a.WaitForLineAsync(l => l.StartsWith(removedOnA, StringComparison.Ordinal), StepTimeout, linesA));
            TestOutput.WriteLine($"down-dead-peers = on: A saw B removed {removed.TotalMilliseconds:F0} ms after kill -9");
            Assert.True(removed <= RemovalBound, $"A saw B removed {removed.TotalSeconds:F2} s after kill -9; bound {RemovalBound.TotalSeconds} s");
        }
        else
        {
            var left = RemovalBound - Stopwatch.GetElapsedTime(killedAt);
            if (left > TimeSpan.Zero)
                await Task.Delay(left);
            foreach (var (survivor, from) in new[] { (a, linesA), (c, linesC) })
                Assert.DoesNotContain(survivor.OutputLines.Skip(from), l => l.StartsWith(removedOnA, StringComparison.Ordinal)
                    || l.StartsWith($"MEMBER-DOWNED {b.Address} ", StringComparison.Ordinal));
            TestOutput.WriteLine($"down-dead-peers = off: B neither downed nor removed {Stopwatch.GetElapsedTime(killedAt).TotalMilliseconds:F0} ms after kill -9"
                + (a.OutputLines.Skip(linesA).Any(l => l.StartsWith($"MEMBER-UNREACHABLE {b.Address} ", StringComparison.Ordinal)) ? " (unreachable on A)" : ""));
            // Down it now, so the survivors' leaving converges at shutdown.
            await a.RequestAsync($"DOWN {b.Address}", "DOWN-SENT", StepTimeout);
            await a.WaitForLineAsync(l => l.StartsWith(removedOnA, StringComparison.Ordinal), StepTimeout, linesA);
        }
        await c.WaitForLineAsync(l => l.StartsWith(removedOnA, StringComparison.Ordinal), StepTimeout, linesC);

        // The survivors keep working, A and C over TCP; B's files go with the next endpoint of directory X.
        await ExchangeAllPairsAsync(500, a, c);
        await StartSweeperAsync(x, "Sweeper");
        await ShutdownAndVerifyAsync();
    }
}
