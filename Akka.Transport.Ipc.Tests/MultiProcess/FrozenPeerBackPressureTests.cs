using System.Globalization;
using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.NodeHost;
using Google.Protobuf;
using Mono.Unix.Native;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiProcess;

/// <summary>
/// README: "A frozen peer (SIGSTOP) is alive … Writers queue up to send-queue-limit, then Write returns false
/// (back-pressure); after SIGCONT everything arrives once, in order." The reader is a real process (a node's bare
/// transport, <see cref="RawSink"/>) frozen with SIGSTOP; this process writes through the SPI with a 1 MiB
/// send-queue-limit, retrying refused frames as Akka's EndpointWriter does.
/// </summary>
public abstract class FrozenPeerBackPressureTests(string mode, ITestOutputHelper output)
    : MultiProcessTestKit(output, ringSize: RingSize64K, mode: mode)
{
    private const string RingSize64K = "64KiB";
    private const int FrameSize = 1024;
    private const int QueueLimitFrames = 1024; // send-queue-limit = 1MiB of 1 KiB frames
    private const int Total = 5_000;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Writes_to_a_frozen_process_hit_the_queue_limit_then_everything_arrives_once_in_order_after_SIGCONT()
    {
        var node = await StartNodeAsync("Frozen");
        int port = int.Parse((await node.RequestAsync("RAW-LISTEN", "RAW-LISTENING", Step)).Split(' ')[1], CultureInfo.InvariantCulture);
        var writer = new IpcTransport(Sys, ConfigurationFactory.ParseString(
            $"directory = \"{IpcDirectory.Path}\"\nmode = {Mode}\nring-size = {RingSize64K}\nsend-queue-limit = 1MiB"));
        var (_, promise) = await writer.Listen();
        promise.SetResult(new ActorAssociationEventListener(TestActor));
        try
        {
            var handle = await writer.Associate(new Address("akka.ipc", "Frozen", "localhost", port)).WaitAsync(Step);
            var events = new RecordingHandleListener();
            handle.ReadHandlerSource.SetResult(events);
            var frames = Enumerable.Range(0, Total).Select(n => ByteString.CopyFrom(RawSink.Frame(n))).ToArray();

            int sent = 0;
            for (; sent < 100; sent++)
                Assert.True(handle.Write(frames[sent]));
            await AwaitRawCountAsync(node, 100);

            node.Signal(Signum.SIGSTOP);
            try
            {
                await AwaitAllThreadsStoppedAsync(node.ProcessId); // kill() returns before a busy reader thread halts
                while (sent < Total && handle.Write(frames[sent]))
                    sent++;
                TestOutput.WriteLine($"{Mode}: {sent - 100} frames of {FrameSize} B accepted by the frozen peer's channel before Write returned false");
                // The channel (ring or pipe of 64 KiB) plus the 1 MiB queue, and not much more.
                Assert.InRange(sent - 100, QueueLimitFrames, QueueLimitFrames + 64 * 1024 / FrameSize + 2);

                // Frozen: every retry is refused, nothing is dropped, and the peer is not declared dead.
                var frozenUntil = DateTime.UtcNow + Freeze;
                while (DateTime.UtcNow < frozenUntil)
                {
                    Assert.False(handle.Write(frames[sent]), "a frozen peer's full channel accepted a frame past send-queue-limit");
                    await Task.Delay(10);
                }
                Assert.False(events.Disassociated.IsCompleted, "the frozen (live) peer was disassociated");
            }
            finally
            {
                node.Signal(Signum.SIGCONT);
            }

            // Retry refused frames until all are taken, as EndpointWriter does.
            var deadline = DateTime.UtcNow + Step;
            while (sent < Total)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Write still refuses frame {sent} a minute after SIGCONT");
                if (handle.Write(frames[sent]))
                    sent++;
                else
                    await Task.Delay(1);
            }
            await AwaitRawCountAsync(node, Total);
            Assert.False(events.Disassociated.IsCompleted);
        }
        finally
        {
            Assert.True(await writer.Shutdown().WaitAsync(Step));
        }
        await ShutdownAndVerifyAsync();
    }

    /// <summary>Waits until every thread of <paramref name="pid"/> is in state T (stopped), so none reads any more.</summary>
    private static async Task AwaitAllThreadsStoppedAsync(int pid)
    {
        var deadline = DateTime.UtcNow + Step;
        while (!Directory.GetDirectories($"/proc/{pid}/task").All(IsStopped))
        {
            Assert.True(DateTime.UtcNow < deadline, $"pid {pid} did not stop after SIGSTOP");
            await Task.Delay(1);
        }

        static bool IsStopped(string task)
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T');
            }
            catch (IOException)
            {
                return true; // the thread ended
            }
        }
    }

    /// <summary>Waits until the sink counted <paramref name="count"/> frames; RAW-COUNT fails on a lost, repeated or reordered one.</summary>
    private async Task AwaitRawCountAsync(NodeProcess node, long count)
    {
        var deadline = DateTime.UtcNow + Step;
        long received;
        while ((received = long.Parse((await node.RequestAsync("RAW-COUNT", "RAW-COUNT", Step)).Split(' ')[1], CultureInfo.InvariantCulture)) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sink has {received} of {count} frames after {Step}");
            await Task.Delay(20);
        }
        Assert.Equal(count, received);
    }
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmFrozenPeerBackPressureTests(ITestOutputHelper output) : FrozenPeerBackPressureTests("shm", output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoFrozenPeerBackPressureTests(ITestOutputHelper output) : FrozenPeerBackPressureTests("fifo", output);
