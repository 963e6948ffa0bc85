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
/// descriptor number is never reused while it is being polled.
/// </summary>
internal sealed unsafe class PollLoop : IDisposable
{
    private readonly ConcurrentQueue<Action> _work = new();
    private readonly List<PollRegistration> _watched = new();
    private readonly List<(long Due, Action Action)> _timers = new();
    private readonly Action<Exception> _onError;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly Thread _thread;
    private LibC.PollFd[] _pollFds = new LibC.PollFd[16];
    private PollRegistration?[] _polled = new PollRegistration?[16];
    private volatile bool _stopping;

    public PollLoop(string name, Action<Exception> onError)
    {
        int* fds = stackalloc int[2];
        if (LibC.Pipe2(fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0)
            throw new IpcSystemException("pipe2", name, LibC.Errno);
        _wakeRead = fds[0];
        _wakeWrite = fds[1];
        _onError = onError;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>True when called on the poll thread.</summary>
    public bool IsLoopThread => Thread.CurrentThread == _thread;

    /// <summary>Starts watching <paramref name="fd"/>; the loop owns (and eventually closes) it from now on.</summary>
    public PollRegistration Watch(FileDescriptor fd, IPollHandler handler, short events = LibC.POLLIN)
    {
        var registration = new PollRegistration(this, fd, handler, events);
        Post(() => _watched.Add(registration));
        return registration;
    }

    /// <summary>Stops watching and closes the descriptor (on the poll thread).</summary>
    public void Forget(PollRegistration registration) => Post(() =>
    {
        _watched.Remove(registration);
        registration.Fd.Dispose();
    });

    /// <summary>Runs <paramref name="action"/> on the poll thread, in order with other posted work.</summary>
    public void Post(Action action)
    {
        _work.Enqueue(action);
        Wake();
    }

    /// <summary>Runs <paramref name="action"/> on the poll thread after <paramref name="delay"/> (poll thread only).</summary>
    public void Schedule(TimeSpan delay, Action action) =>
        _timers.Add((Environment.TickCount64 + (long)delay.TotalMilliseconds, action));

    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        Wake();
        if (!IsLoopThread)
            _thread.Join();
        LibC.Close(_wakeRead);
        LibC.Close(_wakeWrite);
    }

    internal void Wake()
    {
        byte one = 1;
        LibC.Write(_wakeWrite, &one, 1); // a full pipe already guarantees a wake-up
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
                fixed (LibC.PollFd* fds = _pollFds)
                    ready = LibC.Poll(fds, (nuint)count, NextTimeout());
                if (ready < 0 && LibC.Errno != Errno.EINTR)
                    throw new IpcSystemException("poll", _thread.Name ?? "poll", LibC.Errno);
                if (ready > 0)
                    Dispatch(count);
                RunTimers();
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
        RunPosted();
        foreach (var registration in _watched)
            registration.Fd.Dispose();
        _watched.Clear();
    }

    private int BuildPollSet()
    {
        int count = _watched.Count + 1;
        if (_pollFds.Length < count)
        {
            _pollFds = new LibC.PollFd[count * 2];
            _polled = new PollRegistration?[count * 2];
        }
        _pollFds[0] = new LibC.PollFd { Fd = _wakeRead, Events = LibC.POLLIN };
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
                _onError(e);
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
                _onError(e);
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
        while (LibC.Read(_wakeRead, buffer, 64) > 0) { }
    }
}
