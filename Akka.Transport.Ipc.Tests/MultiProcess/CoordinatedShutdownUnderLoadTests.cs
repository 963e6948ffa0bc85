using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// CoordinatedShutdown while messages flow: what reached the node is an unbroken prefix of the stream (in order,
/// none lost or duplicated), the transport flushed everything it had accepted (its Shutdown reported true: no
/// "shut down with frames still queued" warning), remoting logs its
/// orderly shutdown, no exception or ERROR reaches the user, the node shuts down cleanly too, and every resource is
/// removed.
/// </summary>
public abstract class CoordinatedShutdownUnderLoadTests(string mode, ITestOutputHelper output)
    : MultiProcessTestKit(output, ringSize: "64KiB", mode: mode)
{
    [Fact]
    public async Task CoordinatedShutdown_while_streaming_delivers_an_unbroken_prefix_and_flushes()
    {
        var logs = LogLines.Install(Sys, typeof(Akka.Event.Info), typeof(Akka.Event.Warning));
        var node = await StartNodeAsync();
        var verifier = await Sys.ActorSelection($"{node.Address}/user/per-sender-verifier").ResolveOne(TimeSpan.FromSeconds(30));
        var sender = TestActor;
        int sent = 0;
        using var stop = new CancellationTokenSource();
        var streaming = Task.Run(() =>
        {
            for (; !stop.IsCancellationRequested; sent++)
                verifier.Tell(sent, sender);
        });
        await Task.Delay(500);
        // The producer stops as the shutdown begins, with frames still queued and in flight: a thread flooding Tell
        // into a terminating system only starves the shutdown of CPU (Akka's remoting shutdown has a 10 s limit).
        CoordinatedShutdown.Get(Sys).AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "stop-streaming", () =>
        {
            stop.Cancel();
            return Task.FromResult(Done.Instance);
        });

        await CoordinatedShutdown.Get(Sys).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        await streaming; // Tell after termination goes to dead letters, never throws
        await Sys.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60)); // remoting logs its end during termination

        string report = await node.RequestAsync("VERIFIED", "VERIFIED", TimeSpan.FromSeconds(30));
        TestOutput.WriteLine($"{sent} told; node: {report}");
        var match = System.Text.RegularExpressions.Regex.Match(report, @"^VERIFIED senders=(\d+) received=(\d+) gaps=(\d+)$");
        Assert.True(match.Success, report);
        Assert.Equal("1", match.Groups[1].Value);
        Assert.Equal("0", match.Groups[3].Value);
        int received = int.Parse(match.Groups[2].Value);
        Assert.InRange(received, 1000, sent); // frames were flowing when the shutdown began

        var lines = logs.Lines;
        // The transport's own word on its flush (IpcTransport.Shutdown returned false). Akka's "flushing might not
        // have been successful" is not used: it also appears when an endpoint writer's graceful stop is slow.
        Assert.DoesNotContain(lines, l => l.Contains("shut down with frames still queued", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("INFO Remoting shut down", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("INFO Remote daemon shut down; proceeding with flushing remote transports.", StringComparison.Ordinal));

        await ShutdownAndVerifyAsync();
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmCoordinatedShutdownUnderLoadTests(ITestOutputHelper output) : CoordinatedShutdownUnderLoadTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoCoordinatedShutdownUnderLoadTests(ITestOutputHelper output) : CoordinatedShutdownUnderLoadTests("fifo", output);
