using System.Diagnostics;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.NodeHost;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Hybrid;

/// <summary>
/// SIGSTOP of B, a hybrid member co-located with A (C hybrid in another directory), for 10 s, with the cluster failure
/// detector's acceptable-heartbeat-pause at 20 s and down-dead-peers on: a frozen process holds its endpoint lock, so
/// nothing treats it as dead: it is never disassociated, downed or removed, and after SIGCONT the streams it was part of
/// (B to A over shared memory, B to C over TCP, A and C to B) complete in order with every byte checked and nothing lost.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class HybridMemberFreezeTests(ITestOutputHelper output) : ClusterSpec(output)
{
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(10);

    /// <summary>Each stream is spread over at least 20 s, so it is in flight from before the freeze until after it.</summary>
    private const int StreamLength = 15_000;

    private const int StreamMilliseconds = 20_000;

    [Fact]
    public async Task A_co_located_member_frozen_for_10_s_is_never_downed_and_its_streams_complete_in_order()
    {
        var x = IpcDirectory;
        var y = NewIpcDirectory();
        var a = await StartMemberAsync("A", NodeKinds.Hybrid, x, seed: null, downDeadPeers: "on", heartbeatPause: "20s");
        var b = await StartMemberAsync("B", NodeKinds.Hybrid, x, seed: a, downDeadPeers: "on", heartbeatPause: "20s");
        var c = await StartMemberAsync("C", NodeKinds.Hybrid, y, seed: a, downDeadPeers: "on", heartbeatPause: "20s");
        await AwaitAllUpAsync([a, b, c], StepTimeout);
        foreach (var observer in new[] { a, c })
            await observer.RequestAsync("WATCH-TIMED", "WATCHING-TIMED", StepTimeout);
        int linesA = a.OutputLines.Count, linesC = c.OutputLines.Count;

        var streams = new[]
        {
            (Node: b, Run: b.RequestAsync($"PAYLOADS {StreamLength} {MaxPayload} {StreamMilliseconds} {a.Address} {c.Address}", "PAYLOADS-DONE", StepTimeout)),
            (Node: a, Run: a.RequestAsync($"PAYLOADS {StreamLength} {MaxPayload} {StreamMilliseconds} {b.Address}", "PAYLOADS-DONE", StepTimeout)),
            (Node: c, Run: c.RequestAsync($"PAYLOADS {StreamLength} {MaxPayload} {StreamMilliseconds} {b.Address}", "PAYLOADS-DONE", StepTimeout)),
        };
        foreach (var (node, _) in streams)
            await node.WaitForLineAsync(l => l.StartsWith("PAYLOADS-STARTED ", StringComparison.Ordinal), StepTimeout);
        await Task.Delay(TimeSpan.FromSeconds(1)); // every stream has been flowing for a second

        var frozenFor = Stopwatch.StartNew();
        b.Signal(Signum.SIGSTOP);
        try
        {
            await Task.Delay(Freeze);
            foreach (var (node, _) in streams)
                Assert.False(streams.Single(s => s.Node == node).Run.IsCompleted, $"{node.Address}'s stream ended during the freeze: it was not in flight");
        }
        finally
        {
            b.Signal(Signum.SIGCONT);
        }
        TestOutput.WriteLine($"B frozen for {frozenFor.Elapsed.TotalSeconds:F1} s mid-stream");

        foreach (var (node, run) in streams)
        {
            string done = await run;
            TestOutput.WriteLine($"{node.Address}: {done}");
            Assert.StartsWith($"PAYLOADS-DONE {StreamLength} ", done);
        }

        foreach (var (observer, from) in new[] { (a, linesA), (c, linesC) })
        {
            var aboutB = observer.OutputLines.Skip(from).Where(l => l.Contains($" {b.Address} ", StringComparison.Ordinal)).ToList();
            TestOutput.WriteLine($"{observer.Address} about B since the streams began: {(aboutB.Count == 0 ? "nothing" : string.Join(" | ", aboutB))}");
            Assert.DoesNotContain(aboutB, l => l.StartsWith("DISASSOCIATED-AT ", StringComparison.Ordinal)
                || l.StartsWith("MEMBER-DOWNED ", StringComparison.Ordinal) || l.StartsWith("MEMBER-REMOVED ", StringComparison.Ordinal));
        }
        await AwaitAllUpAsync([a, b, c], StepTimeout);
        Assert.Empty(TcpBetween(a, b, "A", "B"));
        await ShutdownAndVerifyAsync();
    }
}
