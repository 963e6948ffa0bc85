using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// The shared-memory receiver thread, when every round fails with the same unexpected error, backs off instead of
/// spinning (measured as the thread's own CPU time from /proc/self/task/TID/schedstat, and as rounds attempted), reports
/// the error about once a second, and serves its channel again as soon as the error stops.
/// </summary>
public sealed class ReceiverBackoffTests(ITestOutputHelper output)
{
    private const string ThreadName = "ipc-rings-bkoff"; // 15 characters: the kernel's comm keeps no more
    private static readonly TimeSpan FailingFor = TimeSpan.FromSeconds(2);

    [Fact]
    public void A_repeating_error_does_not_spin_the_receiver_thread_and_it_recovers()
    {
        bool failing = true;
        int rounds = 0, reported = 0;
        using var rig = new ShmReceiverRig(ThreadName, _ => Interlocked.Increment(ref reported), roundFault: () =>
        {
            Interlocked.Increment(ref rounds);
            if (Volatile.Read(ref failing))
                throw new InvalidOperationException("the same unexpected failure every round");
        });
        var peer = rig.Connect();

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
            peer.WriteNumbered(n, 1);
            peer.AssertReceivedInOrder(n + 1, TimeSpan.FromSeconds(5)); // frame n, delivered after the error stopped
        }
        Assert.False(peer.Channel.IsClosed, "the channel survived the errors");
    }
}
