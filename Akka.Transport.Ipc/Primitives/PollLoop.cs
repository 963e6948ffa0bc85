using System.Collections.Concurrent;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>Called on the poll thread when a watched descriptor is ready.</summary>
internal interface IPollHandler
{
    /// <summary>
    /// <paramref name="events"/> are the revents poll reported (POLLIN, POLLHUP, …).
    /// Return false to stop watching; the loop then closes the descriptor.
    /// </summary>
    bool OnReady(short events);
}

/// <summary>
/// The one poll() thread of a transport. It watches any number of descriptors and a wake pipe through which
/// other threads add or remove them; the pollfd array is reused, so waiting allocates nothing.
/// Watched descriptors are closed only by this thread, so a descriptor number is never reused while polled.
/// </summary>
internal sealed unsafe class PollLoop : IDisposable
{
    private readonly ConcurrentQueue<(FileDescriptor Fd, IPollHandler? Handler)> _changes = new();
    private readonly List<(FileDescriptor Fd, IPollHandler Handler)> _watched = new();
    private readonly Action<Exception> _onError;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly Thread _thread;
    private LibC.PollFd[] _pollFds = new LibC.PollFd[16];
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

    /// <summary>Starts watching <paramref name="fd"/> for input/hang-up; the loop owns it from now on.</summary>
    public void Watch(FileDescriptor fd, IPollHandler handler)
    {
        _changes.Enqueue((fd, handler));
        Wake();
    }

    /// <summary>Stops watching <paramref name="fd"/> and closes it (on the poll thread).</summary>
    public void Forget(FileDescriptor fd)
    {
        _changes.Enqueue((fd, null));
        Wake();
    }

    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        Wake();
        if (Thread.CurrentThread != _thread)
            _thread.Join();
        LibC.Close(_wakeRead);
        LibC.Close(_wakeWrite);
    }

    private void Wake()
    {
        byte one = 1;
        LibC.Write(_wakeWrite, &one, 1); // a full pipe already guarantees a wake-up
    }

    private void Run()
    {
        while (!_stopping)
        {
            ApplyChanges();
            int count = _watched.Count + 1;
            if (_pollFds.Length < count)
                _pollFds = new LibC.PollFd[count * 2];
            _pollFds[0] = new LibC.PollFd { Fd = _wakeRead, Events = LibC.POLLIN };
            for (int i = 0; i < _watched.Count; i++)
                _pollFds[i + 1] = new LibC.PollFd { Fd = _watched[i].Fd.Fd, Events = LibC.POLLIN };

            int ready;
            fixed (LibC.PollFd* fds = _pollFds)
                ready = LibC.Poll(fds, (nuint)count, -1);
            if (ready < 0)
            {
                if (LibC.Errno != Errno.EINTR)
                    _onError(new IpcSystemException("poll", _thread.Name ?? "poll", LibC.Errno));
                continue;
            }
            if (_pollFds[0].Revents != 0)
                DrainWakePipe();
            // Walk backwards so removals do not shift the entries still to visit.
            for (int i = count - 1; i >= 1; i--)
            {
                short events = _pollFds[i].Revents;
                if (events == 0)
                    continue;
                var (fd, handler) = _watched[i - 1];
                bool keep;
                try
                {
                    keep = handler.OnReady(events);
                }
                catch (Exception e)
                {
                    _onError(e);
                    keep = false;
                }
                if (!keep)
                {
                    _watched.RemoveAt(i - 1);
                    fd.Dispose();
                }
            }
        }
        foreach (var (fd, _) in _watched)
            fd.Dispose();
        _watched.Clear();
        while (_changes.TryDequeue(out var change))
            change.Fd.Dispose();
    }

    private void ApplyChanges()
    {
        while (_changes.TryDequeue(out var change))
        {
            if (change.Handler != null)
            {
                _watched.Add((change.Fd, change.Handler));
                continue;
            }
            int index = _watched.FindIndex(w => ReferenceEquals(w.Fd, change.Fd));
            if (index >= 0)
                _watched.RemoveAt(index);
            change.Fd.Dispose();
        }
    }

    private void DrainWakePipe()
    {
        byte* buffer = stackalloc byte[64];
        while (LibC.Read(_wakeRead, buffer, 64) > 0) { }
    }
}
