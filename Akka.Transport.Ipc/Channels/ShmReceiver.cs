using System.Collections.Concurrent;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The one thread per transport that serves every shared-memory channel: it reads inbound rings, drains queued
/// outbound frames when space frees, and performs every close. When all channels are idle it spins briefly, then
/// sleeps on the transport's doorbell, which writers post only when they see it asleep: no syscall per message
/// under load, no lost wake-up (flag + full fence on both sides), no burnt core when idle.
/// </summary>
internal sealed class ShmReceiver : IDisposable
{
    /// <summary>Longest sleep; a safety net only, every real event posts the doorbell.</summary>
    private const int SleepMilliseconds = 200;

    private readonly NamedSemaphore _doorbell;
    private readonly Action<Exception> _onError;
    private readonly ConcurrentQueue<ShmChannel> _added = new();
    private readonly List<ShmChannel> _channels = new();
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ShmReceiver(NamedSemaphore doorbell, string name, Action<Exception> onError)
    {
        _doorbell = doorbell;
        _onError = onError;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Hands a channel to the receiver thread, which owns its lifetime from now on.</summary>
    public void Add(ShmChannel channel)
    {
        _added.Enqueue(channel);
        _doorbell.Post();
    }

    /// <summary>Stops the thread; channels still open are closed with <paramref name="reason"/>.</summary>
    public void Stop(string reason)
    {
        _stopping = true;
        _doorbell.Post();
        if (Thread.CurrentThread != _thread)
            _thread.Join();
        TakeAdded();
        foreach (var channel in _channels)
            channel.Close(reason);
        _channels.Clear();
    }

    public void Dispose() => Stop("the transport shut down");

    private void Run()
    {
        var idle = new IdleStrategy();
        while (!_stopping)
        {
            try
            {
                if (ServiceAll() > 0)
                {
                    idle.Reset();
                    continue;
                }
                if (!idle.Idle())
                    continue;
                if (PrepareToSleep())
                    _doorbell.Wait(SleepMilliseconds);
                foreach (var channel in _channels)
                    channel.Awake();
                idle.Reset();
            }
            catch (Exception e)
            {
                _onError(e);
            }
        }
    }

    private int ServiceAll()
    {
        int work = TakeAdded();
        for (int i = _channels.Count - 1; i >= 0; i--)
        {
            var channel = _channels[i];
            try
            {
                work += channel.Service();
            }
            catch (Exception e)
            {
                _onError(e);
                channel.Close("internal error: " + e.Message);
            }
            if (channel.IsClosed)
            {
                _channels.RemoveAt(i);
                work++;
            }
        }
        return work;
    }

    private bool PrepareToSleep()
    {
        bool sleep = true;
        foreach (var channel in _channels)
            sleep &= channel.PrepareToSleep();
        return sleep && _added.IsEmpty;
    }

    private int TakeAdded()
    {
        int added = 0;
        while (_added.TryDequeue(out var channel))
        {
            _channels.Add(channel);
            added++;
        }
        return added;
    }
}
