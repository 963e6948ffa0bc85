using System.Collections.Concurrent;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>Called on the poll thread when a watched descriptor is ready.</summary>
internal interface IPollHandler
{
    /// <summary>
    /// <paramref name="events"/> are the revents poll reported (POLLIN, POLLOUT, POLLHUP, …).
    /// Return false to stop watching; the loop then closes the descriptor.
    /// </summary>
    bool OnReady(PollRegistration registration, short events);

    /// <summary>
    /// The loop stopped while still watching <paramref name="registration"/> (or was handed it after it stopped):
    /// called once, on the poll thread or, after it ended, on the caller's; the loop closes the descriptor after.
    /// </summary>
    void OnLoopStopped(PollRegistration registration) { }
}

/// <summary>One watched descriptor. Its interest can change from any thread; the loop picks it up at once.</summary>
internal sealed class PollRegistration
{
    private readonly PollLoop _loop;
    private volatile short _events;
    private volatile bool _enabled = true;

    internal PollRegistration(PollLoop loop, FileDescriptor fd, IPollHandler handler, short events)
    {
        _loop = loop;
        Fd = fd;
        Handler = handler;
        _events = events;
    }

    public FileDescriptor Fd { get; }

    public IPollHandler Handler { get; }

    /// <summary>The events waited for. POLLERR and POLLHUP are always reported while enabled, even for 0.</summary>
    public short Events
    {
        get => _events;
        set
        {
            if (_events == value)
                return;
            _events = value;
            _loop.Wake();
        }
    }

    /// <summary>A disabled registration is not polled at all (not even for hang-up).</summary>
    public bool Enabled
    {
        get => _enabled;
        set
        {
            if (_enabled == value)
                return;
            _enabled = value;
            _loop.Wake();
        }
    }
}

/// <summary>
/// The one poll() thread of a transport. It watches any number of descriptors plus a wake pipe through which
/// other threads add or remove them, change their interest, or post work to run on this thread. The pollfd
/// array is reused, so waiting allocates nothing. Watched descriptors are closed only by this thread, so a
/// descriptor number is never reused while it is being polled; every descriptor is a <see cref="FileDescriptor"/>,
/// so a thread that writes to one (holding a reference) never writes to a number that was reused meanwhile.
/// Once disposed the loop runs nothing more: <see cref="Post"/> and <see cref="Wake"/> do nothing,
/// <see cref="Watch"/> tells the handler and closes the descriptor at once.
/// </summary>
/// <remarks>
/// After a round that found work the loop does not sleep at once: it polls again without waiting while its
/// <see cref="IdleStrategy"/> spins and then yields twice, as the shared-memory receiver does. A FIFO stream's next
/// frame usually arrives within that window, so neither side pays a wake-up (the writer's pipe write wakes no sleeper,
/// this thread is not switched out and in). Measured on 2 vCPUs, fifo e2e (alternating runs against the loop
/// without it): on a quiet machine 1 client 152–164 k → 241–264 k msgs/s, 10 clients 266–290 k → 318–461 k, the poll
/// thread's CPU 1.17–1.19 → 0.41–0.57 µs/msg; beside four niced busy loops, better too. Beside a test run of many
/// short-lived processes one client lost half (the yields then wait behind them), as the shm receiver's would.
/// Yields, not spins alone: spinning and then sleeping anyway cost more than sleeping at once (1.5–1.7 µs/msg).
/// An idle loop sleeps in poll() as before: the window follows work only.
/// </remarks>
internal sealed unsafe class PollLoop : IDisposable
{
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly List<PollRegistration> _watched = new();
    private readonly List<(long Due, Action Action)> _timers = new();
    private readonly object _postLock = new();
    private readonly ErrorBackoff _backoff;
    private readonly FileDescriptor _wakeRead;
    private readonly FileDescriptor _wakeWrite;
    private readonly Thread _thread;
    private LibC.PollFd[] _pollFds = new LibC.PollFd[16];
    private PollRegistration?[] _polled = new PollRegistration?[16];
    private volatile bool _stopping;
    private long _wakeWrites;
    private int _wakePending; // 1 from a wake's byte until the loop drains the pipe: later wakes need no byte of their own
    private bool _closed; // guarded by _postLock: no posted work runs any more
    private IdleStrategy _idle = new(TimeSpan.Zero); // poll thread: after a round with work, polls again before sleeping
    private bool _hot; // poll thread: the last round found work, and the idle strategy still spins or yields
    private long _waitingPolls; // poll thread writes, anyone reads
    private long _hotPolls;

    public PollLoop(string name, Action<Exception> onError)
    {
        int* fds = stackalloc int[2];
        if (LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0)
            throw new IpcSystemException("pipe2", name, LibC.Errno);
        _wakeRead = new FileDescriptor(fds[0]);
        _wakeWrite = new FileDescriptor(fds[1]);
        _backoff = new ErrorBackoff(onError);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Bytes written to the wake pipe so far (each one a system call here and a poll() return there).</summary>
    public long WakeWrites => Interlocked.Read(ref _wakeWrites);

    /// <summary>poll() calls that could wait (for a descriptor, a wake or a timer): each one may put the thread to sleep.</summary>
    public long WaitingPolls => Volatile.Read(ref _waitingPolls);

    /// <summary>poll() calls made without waiting, in the window after a round that found work.</summary>
    public long HotPolls => Volatile.Read(ref _hotPolls);

    /// <summary>True when called on the poll thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>
    /// Starts watching <paramref name="fd"/>; the loop owns (and eventually closes) it from now on. On a stopped
    /// loop the handler hears <see cref="IPollHandler.OnLoopStopped"/> and the descriptor is closed before this returns.
    /// </summary>
    public PollRegistration Watch(FileDescriptor fd, IPollHandler handler, short events = LibC.POLLIN)
    {
        var registration = new PollRegistration(this, fd, handler, events);
        if (!TryPost(() => _watched.Add(registration)))
            Release(registration);
        return registration;
    }

    /// <summary>Stops watching and closes the descriptor (on the poll thread, or at once when the loop has stopped).</summary>
    public void Forget(PollRegistration registration)
    {
        if (!TryPost(() =>
            {
                _watched.Remove(registration);
                registration.Fd.Dispose();
            }))
            registration.Fd.Dispose(); // the loop closed it already when it stopped; a second Dispose does nothing
    }

    /// <summary>Runs <paramref name="action"/> on the poll thread, in order with other posted work; nothing once disposed.</summary>
    public void Post(Action action) => TryPost(action);

    /// <summary>As <see cref="Post"/>; false when the loop has stopped and <paramref name="action"/> will never run.</summary>
    public bool TryPost(Action action)
    {
        lock (_postLock)
        {
            if (_closed)
                return false;
            _work.Enqueue(action);
        }
        Wake();
        return true;
    }

    /// <summary>Runs <paramref name="action"/> on the poll thread after <paramref name="delay"/> (poll thread only).</summary>
    public void Schedule(TimeSpan delay, Action action) =>
        _timers.Add((Environment.TickCount64 + (long)delay.TotalMilliseconds, action));

    /// <summary>
    /// Stops the thread (joining it unless called on it), tells every handler still watched, closes every
    /// descriptor the loop owns. Idempotent.
    /// </summary>
    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        _backoff.Cancel();
        WakeLoop();
        if (!IsLoopThread)
            _thread.Join(); // on the loop thread, Run ends after this iteration and releases everything itself
    }

    /// <summary>
    /// Makes the loop re-read its watch list and posted work; does nothing once disposed. Costs a system call only
    /// when needed: on the loop thread nothing (it rebuilds its poll set before it polls again), and while an earlier
    /// wake is still undrained nothing either (the loop reads everything after it drains, see
    /// <see cref="DrainWakePipe"/>). A burst of FIFO writes thus wakes the loop once, not once per change.
    /// </summary>
    internal void Wake()
    {
        if (_stopping || IsLoopThread)
            return;
        // A full fence: whatever the caller changed before is visible to the loop once it clears the flag.
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
            WakeLoop();
    }

    private void WakeLoop()
    {
        // The reference keeps the number ours while writing: a Dispose meanwhile closes it only after the release.
        bool added = false;
        try
        {
            _wakeWrite.DangerousAddRef(ref added);
            Interlocked.Increment(ref _wakeWrites);
            byte one = 1;
            LibC.Write(_wakeWrite.Fd, &one, 1); // a full pipe already guarantees a wake-up
        }
        catch (ObjectDisposedException)
        {
            // Disposed: nobody is left to wake.
        }
        finally
        {
            if (added)
                _wakeWrite.DangerousRelease();
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            try
            {
                RunPosted();
                int count = BuildPollSet();
                int ready;
                if (_hot)
                    Volatile.Write(ref _hotPolls, _hotPolls + 1);
                else
                    Volatile.Write(ref _waitingPolls, _waitingPolls + 1);
                fixed (LibC.PollFd* fds = _pollFds)
                    ready = LibC.Poll(fds, (nuint)count, _hot ? 0 : NextTimeout());
                if (ready < 0 && LibC.Errno != Errno.EINTR)
                    throw new IpcSystemException("poll", _thread.Name ?? "poll", LibC.Errno);
                if (ready > 0)
                {
                    Dispatch(count);
                    _idle.Reset();
                    _hot = true;
                }
                else if (_hot)
                {
                    _hot = _idle.Idle() != IdleAction.Block;
                }
                RunTimers();
                _backoff.Succeeded();
            }
            catch (Exception e)
            {
                _backoff.Failed(e);
            }
        }
        lock (_postLock)
            _closed = true; // from here Watch, Forget and Post act on their own: nothing more is queued
        RunPosted();
        foreach (var registration in _watched)
            Release(registration);
        _watched.Clear();
        _wakeRead.Dispose();
        _wakeWrite.Dispose();
    }

    /// <summary>Tells the handler the loop is gone and closes the descriptor.</summary>
    private void Release(PollRegistration registration)
    {
        try
        {
            registration.Handler.OnLoopStopped(registration);
        }
        catch (Exception e)
        {
            _backoff.Report(e);
        }
        registration.Fd.Dispose();
    }

    private int BuildPollSet()
    {
        int count = _watched.Count + 1;
        if (_pollFds.Length < count)
        {
            _pollFds = new LibC.PollFd[count * 2];
            _polled = new PollRegistration?[count * 2];
        }
        _pollFds[0] = new LibC.PollFd { Fd = _wakeRead.Fd, Events = LibC.POLLIN };
        for (int i = 0; i < _watched.Count; i++)
        {
            var registration = _watched[i];
            _polled[i + 1] = registration;
            // A negative descriptor is skipped by poll: that is how a disabled registration stays listed.
            _pollFds[i + 1] = new LibC.PollFd
            {
                Fd = registration.Enabled ? registration.Fd.Fd : -1,
                Events = registration.Events,
            };
        }
        return count;
    }

    private void Dispatch(int count)
    {
        if (_pollFds[0].Revents != 0)
            DrainWakePipe();
        for (int i = 1; i < count; i++)
        {
            short events = _pollFds[i].Revents;
            var registration = _polled[i]!;
            _polled[i] = null;
            if (events == 0 || !registration.Enabled)
                continue;
            bool keep;
            try
            {
                keep = registration.Handler.OnReady(registration, events);
            }
            catch (Exception e)
            {
                _backoff.Report(e);
                keep = false;
            }
            if (!keep && _watched.Remove(registration))
                registration.Fd.Dispose();
        }
    }

    private void RunPosted()
    {
        while (_work.TryDequeue(out var action))
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                _backoff.Report(e);
            }
        }
    }

    private int NextTimeout()
    {
        if (_timers.Count == 0)
            return -1;
        long now = Environment.TickCount64;
        long due = long.MaxValue;
        foreach (var timer in _timers)
            due = Math.Min(due, timer.Due);
        return (int)Math.Clamp(due - now, 0, int.MaxValue);
    }

    private void RunTimers()
    {
        long now = Environment.TickCount64;
        for (int i = _timers.Count - 1; i >= 0; i--)
        {
            if (_timers[i].Due > now)
                continue;
            var action = _timers[i].Action;
            _timers.RemoveAt(i);
            action();
        }
    }

    private void DrainWakePipe()
    {
        byte* buffer = stackalloc byte[64];
        while (LibC.Read(_wakeRead.Fd, buffer, 64) > 0) { }
        // Cleared after the read, never before: cleared first, a waker could set the flag and have its byte eaten by
        // the read, leaving the flag raised with no byte in the pipe, and every later wake skipped while the loop
        // sleeps (PollLoopWakeTests saw exactly that). Cleared here (a full fence), before the queue and the
        // registrations are read again at the top of the next round: a waker that saw the flag raised made its change
        // before this point and is read; one after it sees 0 and writes a byte of its own.
        Interlocked.Exchange(ref _wakePending, 0);
    }
}
