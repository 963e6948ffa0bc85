using System.Globalization;
using Akka.Transport.Ipc.Channels;
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
public sealed class ReceiverSetUpTests(ITestOutputHelper output)
{
    private const string ThreadName = "ipc-rings-setup";
    private const int Wakes = 8;
    private static readonly TimeSpan BetweenWakes = TimeSpan.FromMilliseconds(15);

    [Fact]
    public void With_every_core_busy_a_receiver_that_took_a_new_channel_blocks_instead_of_yielding_until_the_set_up_window_ends()
    {
        using var rig = new ShmReceiverRig(ThreadName, e => output.WriteLine("receiver error: " + e));
        var doorbell = rig.Doorbell;
        int tid = ThreadCpu.FindThread(ThreadName);
        // Every path compiled first (the JIT, on the receiver thread, would add timeslices of its own), then settled.
        rig.Connect();
        SlicesPerWake(tid, doorbell);
        Thread.Sleep(ShmReceiver.SetUpWindow);
        SlicesPerWake(tid, doorbell);
        double young, settled;
        using (new BusyThreads(Environment.ProcessorCount * 2))
        {
            Thread.Sleep(20); // the busy threads run
            rig.Connect();
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
}
