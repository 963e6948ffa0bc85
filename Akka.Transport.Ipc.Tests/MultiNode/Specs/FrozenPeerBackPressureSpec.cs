using Akka.Actor;
using Akka.Configuration;
using Akka.Remote.Transport;
using Akka.Transport.Ipc.TestKit;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Akka.Transport.Ipc.Tests.TestActors;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.MultiNode.Specs;

/// <summary>
/// README: "A frozen peer (SIGSTOP) is alive … Writers queue up to send-queue-limit, then Write returns false
/// (back-pressure); after SIGCONT everything arrives once, in order." The reader is a real process (the frozen role's
/// bare transport, <see cref="RawSink"/>) frozen with SIGSTOP, every thread stopped; the writer writes through the
/// SPI with a 1 MiB send-queue-limit: the frozen peer's channel takes between 1 024 and 1 024 + 64 + 2 frames of 1 KiB
/// before Write returns false, every retry for 3 s is refused, the peer is not disassociated, and after SIGCONT,
/// retrying refused frames as Akka's EndpointWriter does, all 5 000 arrive once and in order; clean shutdown, no
/// unexpected ERROR, empty directory. (Ported from the NodeHost harness's FrozenPeerBackPressureTests.)
/// </summary>
public abstract class FrozenPeerBackPressureSpec(WriterAndFrozenSinkConfig config, ITestOutputHelper output) : HarnessCheckedSpec(config, output)
{
    private const int FrameSize = 1024;
    private const int QueueLimitFrames = 1024; // send-queue-limit = 1MiB of 1 KiB frames
    private const int Total = 5_000;
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Freeze = TimeSpan.FromSeconds(3);

    [MultiNodeFact]
    public void Writes_to_a_frozen_process_hit_the_queue_limit_then_everything_arrives_once_in_order_after_SIGCONT()
    {
        RawSink? sink = null;
        RunOn(() => sink = RawSink.StartAsync(Sys).Result, config.Frozen);
        EnterBarrier("sink-started");

        IpcTransport? writer = null;
        AssociationHandle? handle = null;
        RecordingHandleListener? events = null;
        var frames = Enumerable.Range(0, Total).Select(n => ByteString.CopyFrom(RawSink.Frame(n))).ToArray();
        int sent = 0;
        RunOn(() =>
        {
            writer = new IpcTransport(Sys, ConfigurationFactory.ParseString(
                $"directory = \"{IpcDirectory}\"\nmode = {config.Mode}\nring-size = 64KiB\nsend-queue-limit = 1MiB"));
            var (_, promise) = writer.Listen().Result;
            promise.SetResult(new ActorAssociationEventListener(TestActor));
            int sinkPort = EndpointLocks.OtherPortOfSameProcess(IpcDirectory, GetAddress(config.Frozen).Port!.Value);
            handle = writer.Associate(new Address("akka.ipc", Sys.Name, "localhost", sinkPort)).WaitAsync(Step).Result;
            events = new RecordingHandleListener();
            handle.ReadHandlerSource.SetResult(events);
            for (; sent < 100; sent++)
                Assert.True(handle.Write(frames[sent]));
        }, config.Writer);
        EnterBarrier("wrote-100");
        RunOn(() => AwaitReceived(sink!, 100), config.Frozen);
        EnterBarrier("received-100");

        RunOn(() =>
        {
            try
            {
                WriteWhileFrozen(handle!, events!, frames, ref sent);
            }
            catch
            {
                Assert.True(writer!.Shutdown().WaitAsync(Step).Result);
                throw;
            }
        }, config.Writer);
        EnterBarrier("wrote-all");
        RunOn(() => AwaitReceived(sink!, Total), config.Frozen);
        EnterBarrier("received-all");

        RunOn(() =>
        {
            Assert.False(events!.Disassociated.IsCompleted);
            Assert.True(writer!.Shutdown().WaitAsync(Step).Result);
        }, config.Writer);
        ShutdownAndVerify(config.Writer);
    }

    private void WriteWhileFrozen(AssociationHandle handle, RecordingHandleListener events, ByteString[] frames, ref int sent)
    {
        int frozenPid = EndpointLocks.PidOf(IpcDirectory, GetAddress(config.Frozen).Port!.Value);
        TestConductor.Freeze(config.Frozen).Wait();
        try
        {
            AwaitAllThreadsStopped(frozenPid); // SIGSTOP stops the threads one by one: a busy reader may still read
            while (sent < Total && handle.Write(frames[sent]))
                sent++;
            Output!.WriteLine($"{config.Mode}: {sent - 100} frames of {FrameSize} B accepted by the frozen peer's channel before Write returned false");
            // The channel (ring or pipe of 64 KiB) plus the 1 MiB queue, and not much more.
            Assert.InRange(sent - 100, QueueLimitFrames, QueueLimitFrames + 64 * 1024 / FrameSize + 2);

            // Frozen: every retry is refused, nothing is dropped, and the peer is not declared dead.
            var frozenUntil = DateTime.UtcNow + Freeze;
            while (DateTime.UtcNow < frozenUntil)
            {
                Assert.False(handle.Write(frames[sent]), "a frozen peer's full channel accepted a frame past send-queue-limit");
                Thread.Sleep(10);
            }
            Assert.False(events.Disassociated.IsCompleted, "the frozen (live) peer was disassociated");
        }
        finally
        {
            TestConductor.Thaw(config.Frozen).Wait();
        }

        // Retry refused frames until all are taken, as EndpointWriter does.
        var deadline = DateTime.UtcNow + Step;
        while (sent < Total)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Write still refuses frame {sent} a minute after SIGCONT");
            if (handle.Write(frames[sent]))
                sent++;
            else
                Thread.Sleep(1);
        }
    }

    /// <summary>Waits until the sink counted <paramref name="count"/> frames; its count fails on a lost, repeated or reordered one.</summary>
    private static void AwaitReceived(RawSink sink, long count)
    {
        var deadline = DateTime.UtcNow + Step;
        long received;
        while ((received = sink.Received) < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the sink has {received} of {count} frames after {Step}");
            Thread.Sleep(20);
        }
        Assert.Equal(count, received);
    }

    /// <summary>Waits until every thread of <paramref name="pid"/> is in state T (stopped), so none reads any more.</summary>
    private static void AwaitAllThreadsStopped(int pid)
    {
        var deadline = DateTime.UtcNow + Step;
        while (!Directory.GetDirectories($"/proc/{pid}/task").All(IsStopped))
        {
            Assert.True(DateTime.UtcNow < deadline, $"pid {pid} did not stop after SIGSTOP");
            Thread.Sleep(1);
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
}

[Collection(MultiProcessCollection.Name)]
public sealed class ShmFrozenPeerBackPressureSpec(ITestOutputHelper output) : FrozenPeerBackPressureSpec(new WriterAndFrozenSinkConfig("shm"), output);

[Collection(MultiProcessCollection.Name)]
public sealed class FifoFrozenPeerBackPressureSpec(ITestOutputHelper output) : FrozenPeerBackPressureSpec(new WriterAndFrozenSinkConfig("fifo"), output);
