using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// <c>receiver-poll-time</c> (issue 15, tail latency): after a frame the shm receiver stays awake that long, so frames
/// closer together than that never find it asleep (no wake-up to pay); by default it sleeps after a few polls. Either
/// way it sleeps once the traffic stops and stays asleep (idle CPU ≈ 0). One receiver, a real segment and named
/// semaphores, the peer's side written as its process writes it. Counted with the receiver's own sleep count (the
/// meter's <c>akka.ipc.receiver.sleeps</c>) and the thread's CPU time, not timed.
/// </summary>
public sealed class ReceiverPollTimeTests(ITestOutputHelper output)
{
    private const int Frames = 10;
    /// <summary>Far longer than the default idle phase (8 spins and 2 yields) even when a yield costs a loaded machine's
    /// time slice; far shorter than the poll time.</summary>
    private static readonly TimeSpan Between = TimeSpan.FromMilliseconds(30);

    [Fact]
    public void By_default_the_receiver_sleeps_between_frames_30_ms_apart()
    {
        using var rig = new ShmReceiverRig("ipc-rings-pt0", e => output.WriteLine("receiver error: " + e));
        long sleeps = SleepsDuring(rig.Receiver, rig.Connect());
        output.WriteLine($"receiver-poll-time = 0: {sleeps} sleeps for {Frames} frames {Between.TotalMilliseconds} ms apart");
        Assert.True(sleeps >= Frames - 3, $"{sleeps} sleeps for {Frames} frames: the default receiver stayed awake between them");
    }

    [Fact]
    public void With_a_poll_time_longer_than_the_gaps_the_receiver_stays_awake_then_sleeps_for_good()
    {
        var pollTime = TimeSpan.FromMilliseconds(500); // the gaps are 30 ms: even 15 times that on a slow machine is inside
        using var rig = new ShmReceiverRig("ipc-rings-pt1", e => output.WriteLine("receiver error: " + e), pollTime);
        int tid = ThreadCpu.FindThread("ipc-rings-pt1");
        long sleeps = SleepsDuring(rig.Receiver, rig.Connect());
        output.WriteLine($"receiver-poll-time = {pollTime.TotalMilliseconds} ms: {sleeps} sleeps for {Frames} frames {Between.TotalMilliseconds} ms apart");
        Assert.True(sleeps <= 1, $"{sleeps} sleeps for {Frames} frames: the receiver did not keep polling for its poll time");

        // Once the frames stop it polls out its poll time, then sleeps; its 200 ms safety-net wake-ups find no frame
        // and must not start another poll time each (they did at first: 306 ms of CPU per idle second).
        Thread.Sleep(pollTime + TimeSpan.FromMilliseconds(500));
        var before = ThreadCpu.OnCpu(tid);
        Thread.Sleep(1000);
        var idleCpu = ThreadCpu.OnCpu(tid) - before;
        output.WriteLine($"then idle: {idleCpu.TotalMilliseconds:F1} ms CPU in 1 s");
        Assert.True(idleCpu < TimeSpan.FromMilliseconds(50), $"the idle receiver used {idleCpu.TotalMilliseconds:F0} ms of CPU in 1 s");
    }

    /// <summary>
    /// The peer writes <see cref="Frames"/> frames <see cref="Between"/> apart (after a first one and a pause, so the
    /// receiver is past the <see cref="ShmReceiver.SetUpWindow"/> of the new channel); returns how often the receiver
    /// slept meanwhile. Every frame arrives, in order.
    /// </summary>
    private static long SleepsDuring(ShmReceiver receiver, ShmPeer peer)
    {
        peer.WriteNumbered(0, 1);
        peer.AssertReceivedInOrder(1, TimeSpan.FromSeconds(10));
        Thread.Sleep(ShmReceiver.SetUpWindow + Between); // a new channel's receiver blocks without polling for a while
        long before = receiver.Sleeps;
        for (int n = 1; n <= Frames; n++)
        {
            peer.WriteNumbered(n, 1);
            Thread.Sleep(Between);
        }
        long sleeps = receiver.Sleeps - before;
        peer.AssertReceivedInOrder(Frames + 1, TimeSpan.FromSeconds(10));
        return sleeps;
    }
}
