using Akka.Transport.Ipc.Interop;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Tests.Primitives;

/// <summary>
/// After a round that found work the poll loop polls again without waiting (its idle strategy's spins and yields)
/// before it sleeps, so a FIFO stream's next frame needs no wake-up; with nothing to do it sleeps and stays asleep.
/// </summary>
public sealed unsafe class PollLoopIdleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void After_work_the_loop_polls_without_waiting_for_the_idle_window_then_sleeps()
    {
        using var pipe = new ReadablePipe();
        using var loop = new PollLoop("ipc-poll-i1", _ => { });
        var handler = new CountingReader();
        loop.Watch(pipe.Read, handler);
        WaitUntilAsleep(loop);

        for (int frame = 1; frame <= 3; frame++)
        {
            long hotBefore = loop.HotPolls;
            long waitingBefore = loop.WaitingPolls;
            pipe.WriteByte();
            Assert.True(SpinWait.SpinUntil(() => handler.Reads == frame, Timeout), $"byte {frame} was not read");
            WaitUntilAsleep(loop, waitingBefore);
            // Exactly the idle strategy's window (each empty poll spins or yields; the next empty one says block), then
            // one waiting poll: no frame and no post arrived meanwhile. Before the window existed this was 0.
            Assert.Equal(IdleStrategy.SpinPolls + IdleStrategy.YieldPolls + 1, loop.HotPolls - hotBefore);
        }
    }

    [Fact]
    public void An_idle_loop_sleeps_in_one_waiting_poll_and_polls_no_more()
    {
        using var pipe = new ReadablePipe();
        using var loop = new PollLoop("ipc-poll-i2", _ => { });
        var handler = new CountingReader();
        loop.Watch(pipe.Read, handler);
        pipe.WriteByte();
        Assert.True(SpinWait.SpinUntil(() => handler.Reads == 1, Timeout));
        WaitUntilAsleep(loop);
        long hot = loop.HotPolls, waiting = loop.WaitingPolls;
        Thread.Sleep(500);
        // A loop that never left its hot window would keep counting hot polls; one woken by nothing, waiting polls.
        Assert.Equal(hot, loop.HotPolls);
        Assert.Equal(waiting, loop.WaitingPolls);
    }

    /// <summary>
    /// Waits until the loop has entered a waiting poll after <paramref name="waitingBefore"/> and made no hot poll for
    /// a while: it is asleep (a loop still in its window keeps counting hot polls).
    /// </summary>
    private static void WaitUntilAsleep(PollLoop loop, long waitingBefore = -1)
    {
        Assert.True(SpinWait.SpinUntil(() => loop.WaitingPolls > waitingBefore, Timeout), "the loop never entered a waiting poll");
        long hot;
        do
        {
            hot = loop.HotPolls;
            Thread.Sleep(20);
        }
        while (loop.HotPolls != hot);
    }

    /// <summary>Reads whatever the pipe holds and counts the reads (poll thread).</summary>
    private sealed class CountingReader : IPollHandler
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public bool OnReady(PollRegistration registration, short events)
        {
            byte* buffer = stackalloc byte[64];
            while (LibC.Read(registration.Fd.Fd, buffer, 64) > 0) { }
            Interlocked.Increment(ref _reads);
            return true;
        }
    }

    /// <summary>A non-blocking pipe: the loop watches (and closes) the read end; the test writes single bytes.</summary>
    private sealed class ReadablePipe : IDisposable
    {
        private readonly FileDescriptor _write;

        public ReadablePipe()
        {
            int* fds = stackalloc int[2];
            Assert.Equal(0, LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC));
            Read = new FileDescriptor(fds[0]);
            _write = new FileDescriptor(fds[1]);
        }

        public FileDescriptor Read { get; }

        public void WriteByte()
        {
            byte one = 1;
            Assert.Equal(1, (int)LibC.Write(_write.Fd, &one, 1));
        }

        public void Dispose() => _write.Dispose();
    }
}
