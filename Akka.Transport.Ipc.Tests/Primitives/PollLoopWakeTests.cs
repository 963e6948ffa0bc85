using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>
/// The poll loop's wake-ups cost a system call only when one is needed (a burst of changes wakes it once; changes on
/// its own thread never), and none is ever lost: every posted action runs and every interest change is polled.
/// </summary>
public sealed unsafe class PollLoopWakeTests
{
    [Fact]
    public void Posts_made_while_the_loop_is_busy_share_one_wake_up()
    {
        using var loop = new PollLoop("ipc-poll-w1", _ => { });
        RunOnLoop(loop, () => { });
        long before = loop.WakeWrites;
        using var busy = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        loop.Post(() =>
        {
            busy.Set();
            gate.Wait();
        });
        Assert.True(busy.Wait(TimeSpan.FromSeconds(10)));
        int ran = 0;
        for (int i = 0; i < 1000; i++)
            loop.Post(() => ran++);
        gate.Set();
        RunOnLoop(loop, () => { });
        Assert.Equal(1000, ran);
        // The gate's post wrote one byte; the 1 000 posts behind it, made before the loop drained it, none; the final
        // RunOnLoop one. Without coalescing this is 1 002.
        Assert.InRange(loop.WakeWrites - before, 1, 3);
    }

    [Fact]
    public void Interest_changes_on_the_loop_thread_write_no_wake_byte_and_still_take_effect()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC));
        var read = new FileDescriptor(fds[0]);
        using var write = new FileDescriptor(fds[1]);
        using var loop = new PollLoop("ipc-poll-w2", _ => { });
        var handler = new TogglingHandler(loop);
        var registration = loop.Watch(read, handler, events: 0);
        // Made on the loop thread, so no wake byte: the loop must still poll for it before it blocks.
        RunOnLoop(loop, () => registration.Events = LibC.POLLIN);
        byte one = 1;
        Assert.Equal(1, (int)LibC.Write(write.Fd, &one, 1));
        Assert.True(handler.Readable.Wait(TimeSpan.FromSeconds(10)), "the change made on the loop thread was not polled");
        // In OnReady (the wake pipe drained, nobody else posting) 201 changes wrote no byte; each would cost a write
        // here and an empty poll() round there.
        Assert.Equal(0, handler.WakeBytesWhileToggling);
    }

    [Fact]
    public void No_wake_up_is_lost_when_many_threads_post_while_the_loop_drains()
    {
        using var loop = new PollLoop("ipc-poll-w3", _ => { });
        const int Threads = 4, PostsEach = 20_000;
        var last = new int[Threads];
        int outOfOrder = 0;
        var posters = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int i = 1; i <= PostsEach; i++)
            {
                int n = i;
                loop.Post(() =>
                {
                    if (last[t] != n - 1)
                        outOfOrder++;
                    last[t] = n;
                });
                if (i % 97 == 0)
                    Thread.Yield(); // lets the loop go idle between some posts: the wake-ups that matter
            }
        })).ToList();
        posters.ForEach(p => p.Start());
        posters.ForEach(p => p.Join());
        // Each last post must run with no further wake-up: a lost one would leave it queued while the loop sleeps.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Enumerable.Range(0, Threads).Any(t => Volatile.Read(ref last[t]) != PostsEach) && DateTime.UtcNow < deadline)
            Thread.Sleep(10);
        Assert.All(last, n => Assert.Equal(PostsEach, n));
        Assert.Equal(0, outOfOrder);
        Assert.True(loop.WakeWrites < Threads * PostsEach, $"{loop.WakeWrites} wake bytes for {Threads * PostsEach} posts");
    }

    [Fact]
    public void A_post_after_the_loop_went_idle_runs_every_time()
    {
        using var loop = new PollLoop("ipc-poll-w4", _ => { });
        for (int i = 0; i < 500; i++)
        {
            RunOnLoop(loop, () => { }); // the loop then sleeps in poll() with no timeout: only a wake byte brings it back
            if (i % 50 == 0)
                Thread.Sleep(2);
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread and waits for it (10 s, or the test fails).</summary>
    private static void RunOnLoop(PollLoop loop, Action action)
    {
        using var done = new ManualResetEventSlim();
        loop.Post(() =>
        {
            action();
            done.Set();
        });
        Assert.True(done.Wait(TimeSpan.FromSeconds(10)), "a posted action did not run: a wake-up was lost");
    }

    private sealed class TogglingHandler(PollLoop loop) : IPollHandler
    {
        public ManualResetEventSlim Readable { get; } = new();

        public long WakeBytesWhileToggling { get; private set; } = -1;

        public bool OnReady(PollRegistration registration, short events)
        {
            long before = loop.WakeWrites;
            for (int i = 0; i < 100; i++)
            {
                registration.Events = 0;
                registration.Events = LibC.POLLIN;
            }
            registration.Events = 0; // level-triggered: stop asking, the byte stays unread
            WakeBytesWhileToggling = loop.WakeWrites - before;
            Readable.Set();
            return true;
        }
    }
}
