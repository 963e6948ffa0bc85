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
    private readonly ErrorBackoff _backoff;
    private readonly ConcurrentQueue<ShmChannel> _added = new();
    private readonly List<ShmChannel> _channels = new();
    private readonly object _stopLock = new();
    private readonly Thread _thread;
    private readonly Action? _roundFault;
    private volatile bool _stopping;
    private string? _stoppedReason; // guarded by _stopLock: set once the thread has ended

    /// <summary>Starts the thread named <paramref name="name"/>; it sleeps on <paramref name="doorbell"/>.</summary>
    /// <param name="doorbell">This transport's doorbell, posted by writers and by every change.</param>
    /// <param name="name">The thread's name.</param>
    /// <param name="onError">Hears unexpected errors, each distinct one at most once a second.</param>
    /// <param name="roundFault">
    /// Tests only: runs at the start of every round, so a test can make whole rounds fail as an unexpected error would
    /// (nothing in the loop fails on its own without a broken system).
    /// </param>
    public ShmReceiver(NamedSemaphore doorbell, string name, Action<Exception> onError, Action? roundFault = null)
    {
        _doorbell = doorbell;
        _roundFault = roundFault;
        _backoff = new ErrorBackoff(onError);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>
    /// Hands a channel to the receiver thread, which owns its lifetime from now on. After <see cref="Stop"/> the
    /// channel is closed at once, with the stop's reason, on the caller's thread.
    /// </summary>
    public void Add(ShmChannel channel)
    {
        string? stopped;
        lock (_stopLock)
        {
            stopped = _stoppedReason;
            if (stopped == null)
                _added.Enqueue(channel);
        }
        if (stopped != null)
            channel.Close(stopped, ChannelEnd.ShutDown);
        else
            _doorbell.Post();
    }

    /// <summary>
    /// Stops the thread; channels still open, and any added later, are closed with <paramref name="reason"/>.
    /// Idempotent (the first reason stays).
    /// </summary>
    public void Stop(string reason)
    {
        _stopping = true;
        _backoff.Cancel();
        _doorbell.Post();
        if (Thread.CurrentThread != _thread)
            _thread.Join();
        lock (_stopLock)
            _stoppedReason ??= reason; // from here Add closes instead of queueing, so nothing queued is missed below
        TakeAdded();
        foreach (var channel in _channels)
            channel.Close(_stoppedReason, ChannelEnd.ShutDown);
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
                RunOnce(ref idle);
                _backoff.Succeeded();
            }
            catch (Exception e)
            {
                _backoff.Failed(e); // a persistent failure must not become a hot loop
            }
        }
    }

    /// <summary>How many times the thread blocked on its doorbell (idle after spinning and yielding): a metric.</summary>
    public long Sleeps { get; private set; }

    /// <summary>One round: serve every channel, or idle (spin, yield, then sleep on the doorbell).</summary>
    /// <param name="idle">By reference: the idle strategy is a struct whose count must carry over between rounds.</param>
    private void RunOnce(ref IdleStrategy idle)
    {
        _roundFault?.Invoke();
        if (ServiceAll() > 0)
        {
            idle.Reset();
            return;
        }
        if (!idle.Idle())
            return;
        if (PrepareToSleep())
        {
            Sleeps++;
            _doorbell.Wait(SleepMilliseconds);
        }
        foreach (var channel in _channels)
            channel.Awake();
        idle.Reset();
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
                _backoff.Report(e);
                channel.Close("internal error: " + e.Message, ChannelEnd.Failed);
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
