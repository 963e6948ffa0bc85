using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// <c>receiver-profile = on</c>: the receiver thread's CPU split by what its rounds did. The phases must add up to
/// the thread's CPU time as the kernel counts it (/proc), and the rounds must be the ones the receiver ran: frames
/// delivered in deliver rounds, every block on the doorbell a sleep round after its spins. One receiver, a real
/// segment and named semaphores, the peer's side written as its process writes it.
/// </summary>
public sealed class ReceiverProfileTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void The_phases_add_up_to_the_threads_cpu_time_and_count_the_rounds_it_ran()
    {
        var profile = new ReceiverProfile();
        using var rig = new ShmReceiverRig("ipc-rings-prof", e => output.WriteLine("receiver error: " + e), profile: profile);
        int tid = ThreadCpu.FindThread("ipc-rings-prof");
        var peer = rig.Connect();
        for (int burst = 0; burst < 20; burst++)
        {
            peer.WriteNumbered(burst * 500, 500);
            Thread.Sleep(10); // the receiver goes idle between bursts: spins, then sleeps
        }
        peer.AssertReceivedInOrder(20 * 500, Timeout);
        var (sleeps, profiled, kernel) = WhileAsleep(rig.Receiver, () =>
            (ReceiverProfile.Phases.Sum(profile.CpuNanoseconds), (long)ThreadCpu.OnCpu(tid).TotalNanoseconds));
        foreach (var phase in ReceiverProfile.Phases)
            output.WriteLine($"{phase,-8} {profile.Rounds(phase),8} rounds {profile.CpuNanoseconds(phase) / 1e6,8:F2} ms");
        output.WriteLine($"profiled {profiled / 1e6:F2} ms, /proc {kernel / 1e6:F2} ms, {sleeps} sleeps; " +
            $"{profile.HandOffs} hand-offs, {profile.HandOffSamples} timed, {profile.HandOffCpuNanoseconds / 1e6:F2} ms estimated");

        // Asleep, the thread uses no CPU: everything it used is in a phase, but for the start-up before its first round
        // and the current round up to its block.
        Assert.InRange(kernel - profiled, 0, 20_000_000);
        Assert.True(profile.CpuNanoseconds(ReceiverPhase.Deliver) > 0, "frames were delivered, yet no CPU was charged to deliver rounds");
        Assert.InRange(profile.Rounds(ReceiverPhase.Deliver), 1, 20 * 500 + 50);
        // Every block on the doorbell is a sleep round once it ends (the current one has not), unless a collection ran
        // during it (then it is a gc round).
        long sleepRounds = profile.Rounds(ReceiverPhase.Sleep);
        Assert.InRange(sleepRounds, sleeps - 1 - profile.Rounds(ReceiverPhase.Gc), sleeps - 1);
        Assert.True(sleepRounds >= 1, "the receiver blocked, yet no sleep round was counted");
        // Every frame is handed off and counted; one in 64 is timed; their estimate is part of the deliver rounds' CPU.
        // An estimate, not a measure: ~150 samples timed on the monotonic clock (a preemption shorter than the 20 us cut
        // stays in), scaled by 64. CI saw 3.21 ms estimated in 3.03 ms of deliver CPU; twice that bounds it.
        const int frames = 20 * 500;
        Assert.Equal(frames, profile.HandOffs);
        Assert.InRange(profile.HandOffSamples, frames / ReceiverProfile.HandOffSampleInterval / 2, frames / ReceiverProfile.HandOffSampleInterval * 2);
        Assert.InRange(profile.HandOffCpuNanoseconds, 1, 2 * (profile.CpuNanoseconds(ReceiverPhase.Deliver) + profile.CpuNanoseconds(ReceiverPhase.Gc)));
        // Each idle episode spins its polls before it may block.
        Assert.True(profile.Rounds(ReceiverPhase.Spin) + profile.Rounds(ReceiverPhase.Gc) >= IdleStrategy.SpinPolls * sleepRounds,
            $"{profile.Rounds(ReceiverPhase.Spin)} spin rounds for {sleepRounds} sleeps");
    }

    [Fact]
    public void Without_a_profile_the_receiver_has_none()
    {
        using var rig = new ShmReceiverRig("ipc-rings-nopr", e => output.WriteLine("receiver error: " + e));
        Assert.Null(rig.Receiver.Profile);
        var peer = rig.Connect();
        peer.WriteNumbered(0, 10);
        peer.AssertReceivedInOrder(10, Timeout);
    }

    /// <summary>
    /// Reads <paramref name="read"/> while the receiver is blocked in one and the same sleep (its count the same 50 ms
    /// before and after; its safety-net wake-up comes every 200 ms); returns that sleep count with the values.
    /// </summary>
    private static (long Sleeps, long Profiled, long Kernel) WhileAsleep(ShmReceiver receiver, Func<(long, long)> read)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            long before = receiver.Sleeps;
            Thread.Sleep(50);
            var (profiled, kernel) = read();
            if (before > 0 && receiver.Sleeps == before)
                return (before, profiled, kernel);
        }
        throw new TimeoutException("the idle receiver never stayed asleep");
    }
}
