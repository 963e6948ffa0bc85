using System.Globalization;
using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Akka.Transport.Ipc.Tests.MultiProcess;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// The shared-memory receiver while an association is being set up, on a machine whose cores are all busy (issue 15,
/// connection set-up). Set-up is a few request/response exchanges, each answer arriving while the receiver idles after
/// delivering the request. A receiver that yields there stays runnable behind every busy thread and sees the answer a
/// scheduler slice later; so for <see cref="ShmReceiver.SetUpWindow"/> after taking a new channel it must block right
/// after spinning (a writer's post wakes it at once), and only afterwards yield again (streaming keeps its yields).
/// Counted, not timed: the receiver thread's scheduler timeslices (/proc/self/task/TID/schedstat, third field) per
/// doorbell wake-up. Blocking idles take one (woken, spin, block); yielding ones one more per yield, since on busy
/// cores every yield hands the core to a busy thread.
/// </summary>
[Collection(MultiProcessCollection.Name)] // it saturates the cores on purpose: nothing else may run meanwhile
public sealed class ReceiverSetUpTests(ITestOutputHelper output) : IDisposable
{
    private const string ThreadName = "ipc-rings-setup";
    private const int Wakes = 8;
    private static readonly TimeSpan BetweenWakes = TimeSpan.FromMilliseconds(15);
    private readonly IpcTestDirectory _directory = new();
    private readonly List<IDisposable> _owned = new();

    [Fact]
    public void With_every_core_busy_a_receiver_that_took_a_new_channel_blocks_instead_of_yielding_until_the_set_up_window_ends()
    {
        var (doorbell, receiver) = StartReceiver();
        int tid = ThreadCpu.FindThread(ThreadName);
        // Every path compiled first (the JIT, on the receiver thread, would add timeslices of its own), then settled.
        AddChannel(receiver, doorbell, peerPort: 2);
        SlicesPerWake(tid, doorbell);
        Thread.Sleep(ShmReceiver.SetUpWindow);
        SlicesPerWake(tid, doorbell);
        double young, settled;
        using (new BusyThreads(Environment.ProcessorCount * 2))
        {
            Thread.Sleep(20); // the busy threads run
            AddChannel(receiver, doorbell, peerPort: 3);
            Thread.Sleep(5); // taken, served, idle
            young = SlicesPerWake(tid, doorbell); // 8 x 15 ms, well inside the 250 ms window
            Thread.Sleep(ShmReceiver.SetUpWindow);
            settled = SlicesPerWake(tid, doorbell);
        }
        output.WriteLine($"{Environment.ProcessorCount * 2} busy threads on {Environment.ProcessorCount} cores: receiver timeslices per " +
            $"wake-up {young:F2} within {ShmReceiver.SetUpWindow.TotalMilliseconds} ms of taking a new channel, {settled:F2} after " +
            $"(yield polls: {IdleStrategy.YieldPolls})");
        Assert.True(young < 1.5, $"within the set-up window the receiver took {young:F2} timeslices per wake-up: it yielded");
        Assert.True(settled >= 1.5, $"after the set-up window the receiver took {settled:F2} timeslices per wake-up: it no longer yields");
    }

    /// <summary>Rings the doorbell <see cref="Wakes"/> times, far enough apart for each idle cycle to end in a block.</summary>
    private static double SlicesPerWake(int tid, NamedSemaphore doorbell)
    {
        long before = Timeslices(tid);
        for (int i = 0; i < Wakes; i++)
        {
            doorbell.Post();
            Thread.Sleep(BetweenWakes);
        }
        return (Timeslices(tid) - before) / (double)Wakes;
    }

    private static long Timeslices(int tid) =>
        long.Parse(File.ReadAllText($"/proc/self/task/{tid}/schedstat").Split(' ')[2], CultureInfo.InvariantCulture);

    private (NamedSemaphore Doorbell, ShmReceiver Receiver) StartReceiver()
    {
        var names = new ChannelNames(_directory.Path);
        var doorbell = Own(NamedSemaphore.Create(names.Doorbell(1)));
        var receiver = new ShmReceiver(doorbell, ThreadName, e => output.WriteLine("receiver error: " + e));
        _owned.Insert(0, new Stopper(receiver));
        return (doorbell, receiver);
    }

    /// <summary>An accepted shm channel with a listener, handed to the receiver as an accept does.</summary>
    private void AddChannel(ShmReceiver receiver, NamedSemaphore doorbell, int peerPort)
    {
        var names = new ChannelNames(_directory.Path);
        var loop = Own(new PollLoop($"ipc-poll-{peerPort}", _ => { }));
        var peerDoorbell = Own(NamedSemaphore.Create(names.Doorbell(peerPort)));
        var segment = ShmSegment.Create(names.Segment(peerPort, 1), RingLayout.MinCapacity, 65536, clientPort: peerPort);
        Posix.Unlink(segment.Path); // as after an accept: the mappings hold it
        var channel = new ShmChannel(segment, isClient: false, peerPort, NamedSemaphore.TryOpen(peerDoorbell.Name, out _)!,
            doorbell, loop, wireFrameLimit: 65536, sendQueueLimit: 1 << 20, flushTimeout: TimeSpan.FromSeconds(1));
        channel.SetListener(new ChannelEvents());
        receiver.Add(channel);
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
