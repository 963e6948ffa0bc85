using Akka.Transport.Ipc.Channels;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Akka.Transport.Ipc.Tests.Channels;

/// <summary>
/// The shared-memory receiver thread serves many associations; its cost must follow the busy ones, not all of them
/// (issue 15, scale). One receiver, real segments and named semaphores, and each peer's side written as the peer's
/// process writes it (a <see cref="RingWriter"/> on the client ring, posting the doorbell only when the receiver
/// asked for it). Work is counted (how often each channel was served), not timed.
/// </summary>
public sealed class IdleAssociationsTests(ITestOutputHelper output) : IDisposable
{
    private const int Associations = 48;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ShmReceiverRig _rig = new("ipc-rings-idle", e => output.WriteLine("receiver error: " + e));
    private readonly List<ShmPeer> _peers = new();

    [Fact]
    public void Idle_associations_are_not_served_while_one_streams()
    {
        Start(Associations);
        var busy = _peers[0];
        const int frames = 50_000;
        var writer = new Thread(() => busy.WriteNumbered(0, frames)) { Name = "busy-peer" };
        int tid = 0;
        var cpuBefore = TimeSpan.Zero;
        tid = ThreadCpu.FindThread("ipc-rings-idle");
        cpuBefore = ThreadCpu.OnCpu(tid);
        writer.Start();
        writer.Join();
        busy.AssertReceivedInOrder(frames, Timeout);
        var cpu = ThreadCpu.OnCpu(tid) - cpuBefore;

        long busyPolls = busy.Channel.Polls;
        long idlePolls = _peers.Skip(1).Sum(p => p.Channel.Polls);
        long maxIdle = _peers.Skip(1).Max(p => p.Channel.Polls);
        output.WriteLine($"{frames:N0} frames over 1 of {Associations} associations: the busy one served {busyPolls:N0} times, " +
            $"the {Associations - 1} idle ones {idlePolls:N0} times in all (at most {maxIdle:N0} each); receiver thread {cpu.TotalMilliseconds:F0} ms CPU");
        // Delivering 50 000 frames takes at least 50 000 / 64 (the batch) rounds of the busy channel. An idle one may be
        // looked at a few dozen times (before it is set aside, and after wake-ups); serving every channel every round
        // would serve each idle one about as often as the busy one. (The busy one's own count is no bound: under load it
        // takes bigger batches in fewer rounds, down to ~1 300 rounds for 50 000 frames.)
        Assert.True(maxIdle <= 200, $"an idle association was served {maxIdle:N0} times while another streamed ({busyPolls:N0} rounds)");
    }

    [Fact]
    public void Associations_set_aside_while_idle_deliver_everything_in_order_when_their_peers_write_again()
    {
        Start(Associations);
        Thread.Sleep(300); // every channel idle long enough to be set aside, and the receiver asleep
        // One frame each, then bursts from four writer threads (each owns a quarter of the peers), with pauses so that
        // channels keep going idle and waking up again.
        foreach (var peer in _peers)
            peer.WriteNumbered(0, 1);
        foreach (var peer in _peers)
            peer.AssertReceivedInOrder(1, Timeout);
        var writers = Enumerable.Range(0, 4).Select(w => new Thread(() =>
        {
            var mine = _peers.Where((_, i) => i % 4 == w).ToList();
            var random = new Random(w);
            for (int round = 0; round < 40; round++)
            {
                foreach (var peer in mine.Where(_ => random.Next(3) == 0))
                    peer.WriteNumbered(peer.Written, random.Next(1, 200));
                if (round % 8 == 7)
                    Thread.Sleep(30); // long enough for the receiver to idle, set channels aside and sleep
            }
        })).ToList();
        writers.ForEach(t => t.Start());
        writers.ForEach(t => t.Join());
        foreach (var peer in _peers)
            peer.AssertReceivedInOrder(peer.Written, Timeout);

        // A peer that closes its side while its channel is set aside is noticed at once (its close posts the doorbell).
        Thread.Sleep(100);
        var closing = _peers[Associations / 2];
        closing.Segment.WriteVolatile(SegmentLayout.ClientClosedOffset, 1);
        _rig.Doorbell.Post();
        Assert.True(SpinWait.SpinUntil(() => closing.Events.ClosedReason != null, Timeout), "the peer's close was not noticed");
        Assert.Equal("the peer closed the association", closing.Events.ClosedReason);
        Assert.All(_peers.Where(p => p != closing), p => Assert.False(p.Channel.IsClosed));
    }

    /// <summary><paramref name="count"/> accepted shm channels on the receiver, each with a listener.</summary>
    private void Start(int count)
    {
        for (int i = 0; i < count; i++)
            _peers.Add(_rig.Connect());
    }

    public void Dispose() => _rig.Dispose();
}
