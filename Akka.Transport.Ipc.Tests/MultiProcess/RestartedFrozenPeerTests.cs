using System.Globalization;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// The chaos soak's stuck pair, made deterministic: a node is SIGKILLed, restarted on its old port, and frozen
/// (SIGSTOP) for 2.5 s just as it and its peer re-associate (both stream to each other with the soak's own
/// actors, so both sides associate at once); after SIGCONT both directions must flow again within a bound, and
/// every stream arrives in order, intact, with no gap or duplicate (the soak receiver's checks). Each cycle
/// freezes at another moment of the re-association.
/// The soak's permanent stall itself is Akka.Remote's: when, after a quiet restart (no gate closed), both nodes
/// start to associate with each other at the same moment and the restarted one is frozen during the handshakes,
/// Akka on one side stops its endpoint ("Removing receive buffers") and one direction stays silent (150 s and more);
/// reproduced over IPC and over dot-netty.tcp alike (README, Troubleshooting). These cycles, where the restarted
/// node starts streaming first, must always flow again.
/// </summary>
public abstract class RestartedFrozenPeerTests(string mode, ITestOutputHelper output)
    : MultiProcessTestKit(output, ringSize: "64KiB", maxFrame: "512000b", mode: mode) // the soak's settings
{
    private const int Rate = 100; // messages per second each way, as in the soak
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Freeze = TimeSpan.FromMilliseconds(2500);
    private static readonly TimeSpan FlowBound = TimeSpan.FromSeconds(30);
    private static readonly int[] FreezeDelaysMs = [0, 250, 1000];

    /// <summary>The soak's stuck pair ran over FIFOs between an <c>auto</c> node and its <c>fifo</c> node.</summary>
    protected async Task RunAsync(string anchorMode, string phoenixMode)
    {
        var anchor = await StartNodeAsync("Anchor", mode: anchorMode);
        var phoenix = await StartNodeAsync("Phoenix", mode: phoenixMode);
        int port = phoenix.Address.Port!.Value;
        await anchor.RequestAsync($"SOAK-START {Rate}", "SOAK-STARTED", StepTimeout);
        await phoenix.RequestAsync($"SOAK-START {Rate}", "SOAK-STARTED", StepTimeout);
        await anchor.RequestAsync($"SOAK-PEERS {phoenix.Address}", "SOAK-PEERS", StepTimeout);
        await phoenix.RequestAsync($"SOAK-PEERS {anchor.Address}", "SOAK-PEERS", StepTimeout);
        await FlowsAsync(anchor, phoenix.Address.ToString(), "initially");
        var incarnations = new List<NodeProcess> { phoenix };

        foreach (int delay in FreezeDelaysMs)
        {
            phoenix.Kill();
            phoenix = await StartNodeAsync("Phoenix", mode: phoenixMode, port: port);
            await phoenix.RequestAsync($"SOAK-START {Rate}", "SOAK-STARTED", StepTimeout);
            await phoenix.RequestAsync($"SOAK-PEERS {anchor.Address}", "SOAK-PEERS", StepTimeout); // it associates now
            await Task.Delay(delay);
            phoenix.Signal(Signum.SIGSTOP);
            await Task.Delay(Freeze);
            phoenix.Signal(Signum.SIGCONT);
            TestOutput.WriteLine($"froze the restarted node {delay} ms after it began streaming, for {Freeze.TotalMilliseconds} ms");
            await Task.WhenAll(
                FlowsAsync(anchor, phoenix.Address.ToString(), $"after a freeze at {delay} ms"),
                FlowsAsync(phoenix, anchor.Address.ToString(), $"after a freeze at {delay} ms"));
            incarnations.Add(phoenix);
        }
        var broken = incarnations.Prepend(anchor)
            .SelectMany(n => n.OutputLines.Where(l => l.StartsWith("SOAK-ERROR ", StringComparison.Ordinal) || l.StartsWith("SOAK-ANOMALY ", StringComparison.Ordinal)))
            .ToList();
        Assert.True(broken.Count == 0, "streams broke: " + string.Join("; ", broken));
        await ShutdownAndVerifyAsync();
    }

    /// <summary>
    /// Waits until <paramref name="receiver"/>'s soak receiver has counted 100 more messages from
    /// <paramref name="sender"/> than it had when called (its SOAK-STATS lines, one a second).
    /// </summary>
    private async Task FlowsAsync(NodeProcess receiver, string sender, string when)
    {
        int from = receiver.OutputLines.Count;
        long before = LastCount(receiver.OutputLines, sender);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await receiver.WaitForLineAsync(l => CountIn(l, sender) >= before + 100, FlowBound, from);
            TestOutput.WriteLine($"FLOW {sender} -> {receiver.Address} {when}: {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{receiver.Address} received nothing more from {sender} within {FlowBound.TotalSeconds} s {when} "
                + $"(still {LastCount(receiver.OutputLines, sender)})");
        }
    }

    private static long LastCount(IReadOnlyList<string> lines, string sender) =>
        lines.Select(l => CountIn(l, sender)).Where(c => c >= 0).DefaultIfEmpty(0).Last();

    /// <summary>The cumulative count for <paramref name="sender"/> in a SOAK-STATS line; -1 for other lines.</summary>
    private static long CountIn(string line, string sender)
    {
        if (!line.StartsWith("SOAK-STATS ", StringComparison.Ordinal))
            return -1;
        string key = " " + sender + "=";
        int at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
            return 0;
        int start = at + key.Length, end = line.IndexOf(' ', start);
        return long.Parse(end < 0 ? line[start..] : line[start..end], CultureInfo.InvariantCulture);
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmRestartedFrozenPeerTests(ITestOutputHelper output) : RestartedFrozenPeerTests("shm", output)
{
    [Fact]
    public Task A_node_restarted_on_its_port_and_frozen_while_reassociating_exchanges_again_both_ways() => RunAsync("shm", "shm");
}

[Collection(MultiProcessCollection.Name)]
public sealed class FifoRestartedFrozenPeerTests(ITestOutputHelper output) : RestartedFrozenPeerTests("fifo", output)
{
    [Fact]
    public Task A_node_restarted_on_its_port_and_frozen_while_reassociating_exchanges_again_both_ways() => RunAsync("fifo", "fifo");
}

/// <summary>An <c>auto</c> node and a <c>fifo</c> node (their pair runs over FIFOs), either one restarted and frozen.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MixedRestartedFrozenPeerTests(ITestOutputHelper output) : RestartedFrozenPeerTests("auto", output)
{
    [Fact]
    public Task The_fifo_node_restarted_and_frozen() => RunAsync("auto", "fifo");

    [Fact]
    public Task The_auto_node_restarted_and_frozen() => RunAsync("fifo", "auto");
}

