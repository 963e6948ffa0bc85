using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// The shared-memory receiver thread, when every round fails with the same unexpected error, backs off instead of
/// spinning (measured as the thread's own CPU time from /proc/self/task/TID/schedstat, and as rounds attempted), reports
/// the error about once a second, and serves its channel again as soon as the error stops.
/// </summary>
public sealed unsafe class ReceiverBackoffTests(ITestOutputHelper output) : IDisposable
{
    private const string ThreadName = "ipc-rings-bkoff"; // 15 characters: the kernel's comm keeps no more
    private static readonly TimeSpan FailingFor = TimeSpan.FromSeconds(2);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<IDisposable> _owned = new();

    [Fact]
    public void A_repeating_error_does_not_spin_the_receiver_thread_and_it_recovers()
    {
        var names = new ChannelNames(_directory.Path);
        var ownDoorbell = Own(NamedSemaphore.Create(names.Doorbell(1)));
        var peerDoorbell = Own(NamedSemaphore.Create(names.Doorbell(2)));
        var loop = Own(new PollLoop("ipc-poll-bkoff", _ => { }));
        var segment = ShmSegment.Create(names.Segment(2, 1), RingLayout.MinCapacity, 65536, clientPort: 2);
        Posix.Unlink(segment.Path); // as after an accept: the mappings hold it
        var channel = new ShmChannel(segment, isClient: false, peerPort: 2, NamedSemaphore.TryOpen(peerDoorbell.Name, out _)!,
            ownDoorbell, loop, wireFrameLimit: 65536, sendQueueLimit: 1 << 20, flushTimeout: TimeSpan.FromSeconds(1));
        var peer = new RingWriter(segment.ClientToServerRing, segment.RingCapacity); // the client's side of the ring
        var listener = new ChannelEvents();
        channel.SetListener(listener);

        bool failing = true;
        int rounds = 0, reported = 0;
        var receiver = new ShmReceiver(ownDoorbell, ThreadName, _ => Interlocked.Increment(ref reported), roundFault: () =>
        {
            Interlocked.Increment(ref rounds);
            if (Volatile.Read(ref failing))
                throw new InvalidOperationException("the same unexpected failure every round");
        });
        _owned.Insert(0, new Stopper(receiver));
        receiver.Add(channel);

        int tid = ThreadCpu.FindThread(ThreadName);
        var cpuBefore = ThreadCpu.OnCpu(tid);
        Thread.Sleep(FailingFor);
        long cpu = (long)(ThreadCpu.OnCpu(tid) - cpuBefore).TotalMilliseconds;
        int failedRounds = Volatile.Read(ref rounds);
        output.WriteLine($"failing for {FailingFor.TotalSeconds} s: {failedRounds} rounds, {cpu} ms CPU, {Volatile.Read(ref reported)} reports");
        // Back-off (1 ms doubling to 1 s) allows about a dozen rounds in 2 s; a spinning thread makes millions and
        // burns most of a core.
        Assert.InRange(failedRounds, 2, 30);
        Assert.True(cpu <= 200, $"the receiver thread used {cpu} ms of CPU in {FailingFor.TotalMilliseconds} ms of repeating errors");
        Assert.InRange(Volatile.Read(ref reported), 1, 3);

        Volatile.Write(ref failing, false);
        for (int n = 0; n < 5; n++)
        {
            byte[] frame = [(byte)n, 1, 2, 3];
            int written = 0;
            Assert.True(peer.TryWrite(frame, ref written));
            if (peer.TakeConsumerWakeRequest())
                ownDoorbell.Post();
            Assert.True(SpinWait.SpinUntil(() => { lock (listener.Frames) return listener.Frames.Count == n + 1; }, TimeSpan.FromSeconds(5)),
                $"frame {n} was not delivered after the error stopped");
        }
        lock (listener.Frames)
            Assert.Equal([0, 1, 2, 3, 4], listener.Frames.Select(f => (int)f[0]));
        Assert.False(channel.IsClosed, "the channel survived the errors");
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (var disposable in _owned)
            disposable.Dispose();
        _directory.AssertEmpty();
        _directory.Dispose();
    }

    /// <summary>Stops the receiver first (it closes the channel and unmaps the segment), before the doorbells go.</summary>
    private sealed class Stopper(ShmReceiver receiver) : IDisposable
    {
        public void Dispose() => receiver.Stop("test over");
    }
}
