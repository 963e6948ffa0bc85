using System.Diagnostics;
using Akka.Actor;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// Streams 100 000 byte[] messages of mixed sizes (8 B .. 1 MiB) to the child's verifier.
/// The ring (256 KiB) is smaller than the largest frames (maximum-frame-size 2 MiB), so frames
/// larger than the ring must cross it in pieces.
/// </summary>
public abstract class TwoProcessStreamingTests(string mode, ITestOutputHelper output, string shmDirectory = "")
    : MultiProcessTestKit(output, ringSize: "256KiB", maxFrame: "2MiB", mode: mode, shmDirectory: shmDirectory)
{
    private const int Total = 100_000;

    // Bounds the bytes in flight (and so memory) while keeping the pipe full.
    private const int Window = 5_000;

    private static readonly TimeSpan AckTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Hundred_thousand_mixed_size_messages_arrive_in_order_and_intact()
    {
        var node = await StartNodeAsync();
        await CheckNodeAsync(node);
        var verifier = Sys.ActorSelection($"{node.Address}/user/verifier");

        var sent = 0;
        var acknowledged = 0;
        long bytesSent = 0;
        var stopwatch = Stopwatch.StartNew();
        while (acknowledged < Total)
        {
            while (sent < Total && sent - acknowledged < Window)
            {
                var payload = StreamPayload.Create(sent);
                bytesSent += payload.Length;
                verifier.Tell(payload, TestActor);
                sent++;
            }

            var reply = await ExpectMsgAsync<object>(AckTimeout, $"an ack after {acknowledged} acknowledged of {sent} sent");
            switch (reply)
            {
                case string error:
                    Assert.Fail(error);
                    break;
                case int count:
                    Assert.True(count > acknowledged && count <= sent,
                        $"ack {count} is inconsistent: {acknowledged} acknowledged before, {sent} sent");
                    acknowledged = count;
                    break;
                default:
                    Assert.Fail($"unexpected reply {reply.GetType()}: {reply}");
                    break;
            }
        }
        stopwatch.Stop();

        // The verifier checks each message before acking it, so the last ack covers all of them.
        Assert.Equal(Total, acknowledged);
        var seconds = stopwatch.Elapsed.TotalSeconds;
        TestOutput.WriteLine(
            $"{Total} messages, {bytesSent / 1e6:F1} MB in {seconds:F2} s: "
            + $"{Total / seconds:F0} messages/s, {bytesSent / 1e6 / seconds:F1} MB/s");

        await ShutdownAndVerifyAsync();
    }

    /// <summary>A variant's extra checks on the started node.</summary>
    protected virtual Task CheckNodeAsync(NodeProcess node) => Task.CompletedTask;
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmTwoProcessStreamingTests(ITestOutputHelper output) : TwoProcessStreamingTests("shm", output);

/// <summary>The same stream over dot-netty.tcp on loopback, as the baseline for the IPC figures.</summary>
[Collection(MultiProcessCollection.Name)]
public sealed class TcpBaselineTwoProcessStreamingTests(ITestOutputHelper output) : TwoProcessStreamingTests("tcp", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoTwoProcessStreamingTests(ITestOutputHelper output) : TwoProcessStreamingTests("fifo", output);

/// <summary>
/// mode = auto on a host where shared memory is unusable (shm-directory cannot be created): both sides fall back
/// to FIFOs, say so once, and still pass the stream.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class FallbackTwoProcessStreamingTests(ITestOutputHelper output)
    : TwoProcessStreamingTests("auto", output, shmDirectory: UnusableShmDirectory)
{
    /// <summary>Nobody can create a directory in /proc, not even root.</summary>
    public const string UnusableShmDirectory = "/proc/akka-ipc-unusable";

    protected override async Task CheckNodeAsync(NodeProcess node)
    {
        // Akka's logger writes asynchronously: the lines may come after ADDRESS, so wait for them.
        var timeout = TimeSpan.FromSeconds(30);
        await node.WaitForLineAsync(l => l.Contains("Shared memory is unusable", StringComparison.Ordinal), timeout);
        await node.WaitForLineAsync(l => l.Contains("FIFOs only", StringComparison.Ordinal), timeout);
        var warnings = node.OutputLines.Where(l => l.Contains("Shared memory is unusable", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("WARNING", warnings[0]);
        Assert.Contains(UnusableShmDirectory, warnings[0]);
    }
}
