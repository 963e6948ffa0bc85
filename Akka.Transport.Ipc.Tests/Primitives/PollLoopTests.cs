using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;
using Akka.Transport.Ipc.Tests.Infrastructure;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>The poll loop never touches a descriptor number after it closed it, and does not spin on errors.</summary>
public sealed unsafe class PollLoopTests
{
    [Fact]
    public void Wake_and_Post_after_Dispose_touch_no_descriptor_and_run_nothing()
    {
        var loop = new PollLoop("ipc-poll-t1", _ => { });
        loop.Dispose();
        using var pipes = new PipeSet(); // takes the wake pipe's numbers
        bool ran = false;
        for (int i = 0; i < 10; i++)
        {
            loop.Wake();
            loop.Post(() => ran = true);
        }
        Thread.Sleep(50);
        Assert.Equal(0, pipes.DrainAll());
        Assert.False(ran);
    }

    [Fact]
    public void A_descriptor_handed_over_after_Dispose_is_closed_at_once()
    {
        var loop = new PollLoop("ipc-poll-t2", _ => { });
        loop.Dispose();
        using var pipes = new PipeSet(1);
        int* fds = stackalloc int[2];
        Assert.Equal(0, LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC));
        var read = new FileDescriptor(fds[0]);
        using var write = new FileDescriptor(fds[1]);
        loop.Watch(read, new NeverReady());
        Assert.True(read.IsClosed, "the loop owns what it is handed, even when it has stopped");
    }

    [Fact]
    public void Stopping_the_loop_tells_each_handler_it_still_watched()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC));
        var read = new FileDescriptor(fds[0]);
        using var write = new FileDescriptor(fds[1]);
        var handler = new NeverReady();
        var loop = new PollLoop("ipc-poll-t3", _ => { });
        loop.Watch(read, handler);
        loop.Post(() => { }); // the watch is in place once this ran
        Thread.Sleep(50);
        loop.Dispose();
        Assert.True(handler.Stopped);
        Assert.True(read.IsClosed);
    }

    [Fact]
    public void A_persistent_error_is_retried_with_back_off_and_reported_at_most_once_a_second()
    {
        int errors = 0, ticks = 0;
        var loop = new PollLoop("ipc-poll-t4", _ => Interlocked.Increment(ref errors));
        void Tick()
        {
            ticks++;
            loop.Schedule(TimeSpan.Zero, Tick);
            throw new IOException("the same failure every time");
        }
        loop.Post(() => loop.Schedule(TimeSpan.Zero, Tick));
        Thread.Sleep(1500);
        loop.Dispose();
        Assert.InRange(Volatile.Read(ref errors), 1, 2);
        Assert.InRange(ticks, 2, 15); // 1 ms doubling: about 11 attempts in 1.5 s, not millions
    }

    private sealed class NeverReady : IPollHandler
    {
        public bool Stopped { get; private set; }

        public bool OnReady(PollRegistration registration, short events) => true;

        public void OnLoopStopped(PollRegistration registration) => Stopped = true;
    }
}
