using System.Collections.Concurrent;
using System.Diagnostics;
using Akka.Transport.Ipc.Primitives;

namespace Akka.Transport.Ipc.Channels;

/// <summary>
/// The one thread per transport that serves every shared-memory channel: it reads inbound rings, drains queued
/// outbound frames when space frees, and performs every close. When all channels are idle it spins briefly, then
/// sleeps on the transport's doorbell, which writers post only when they see it asleep: no syscall per message
/// under load, no lost wake-up (flag + full fence on both sides), no burnt core when idle.
/// </summary>
/// <remarks>
/// Its cost follows the busy channels, not all of them: a channel idle for <see cref="ParkAfterIdleRounds"/> rounds
/// is set aside ("parked") with its ring's asleep flag raised, exactly as when the whole thread sleeps, so its
/// peer's next frame posts the doorbell. Each round asks the doorbell (sem_trywait: one atomic operation, no
/// system call) whether anyone rang, and only then looks at the parked channels (a few flag reads each) to bring
/// back those with something to do. A thousand idle associations thus cost nothing per round while one streams.
/// For <see cref="SetUpWindow"/> after it took a new channel, the thread idles without yielding (see there).
/// </remarks>
internal sealed class ShmReceiver : IDisposable
{
    /// <summary>Longest sleep; a safety net only, every real event posts the doorbell.</summary>
    private const int SleepMilliseconds = 200;

    /// <summary>
    /// Empty rounds after which a channel is parked while others keep the thread busy. A parked channel's next frame
    /// costs its writer one sem_post (an atomic increment while this thread is awake), so a channel pausing briefly
    /// between bursts stays served.
    /// </summary>
    private const int ParkAfterIdleRounds = 32;

    /// <summary>
    /// How long after it took a new channel the thread does not yield while idle, but blocks right after spinning.
    /// Setting an association up is a few request/response exchanges (accept, Akka's handshake, the first messages),
    /// each answer arriving while the thread idles after delivering the request; on an oversubscribed machine a
    /// yielding thread sees it a scheduler slice later (milliseconds per exchange), a blocked one is woken by the
    /// writer's post at once. Streaming keeps its yields (they catch the next frame without a sleep and a wake-up:
    /// without them the e2e part's one-client run cost 2-3x the CPU per message under load).
    /// </summary>
    public static readonly TimeSpan SetUpWindow = TimeSpan.FromMilliseconds(250);

    private static readonly long SetUpTicks = (long)(SetUpWindow.TotalSeconds * Stopwatch.Frequency);

    private readonly NamedSemaphore _doorbell;
    private readonly ErrorBackoff _backoff;
    private readonly ConcurrentQueue<ShmChannel> _added = new();
    private readonly List<ShmChannel> _active = new(); // served every round
    private readonly List<ShmChannel> _parked = new(); // served once the doorbell rang and they have something to do
    private readonly object _stopLock = new();
    private readonly Thread _thread;
    private readonly Action? _roundFault;
    private readonly TimeSpan _pollTime;
    private volatile bool _stopping;
    private string? _stoppedReason; // guarded by _stopLock: set once the thread has ended
    private long _lastTakenAt = long.MinValue / 2; // Stopwatch timestamp: when the thread last took a new channel

    /// <summary>Starts the thread named <paramref name="name"/>; it sleeps on <paramref name="doorbell"/>.</summary>
    /// <param name="doorbell">This transport's doorbell, posted by writers and by every change.</param>
    /// <param name="name">The thread's name.</param>
    /// <param name="onError">Hears unexpected errors, each distinct one at most once a second.</param>
    /// <param name="pollTime">
    /// <c>receiver-poll-time</c>: how long the thread keeps polling (yielding between polls) after its last frame
    /// before it sleeps; zero = a few polls only.
    /// </param>
    /// <param name="profile"><c>receiver-profile = on</c>: where the thread's CPU goes, by round (null: not measured).</param>
    /// <param name="roundFault">
    /// Tests only: runs at the start of every round, so a test can make whole rounds fail as an unexpected error would
    /// (nothing in the loop fails on its own without a broken system).
    /// </param>
    public ShmReceiver(NamedSemaphore doorbell, string name, Action<Exception> onError, TimeSpan pollTime = default,
        ReceiverProfile? profile = null, Action? roundFault = null)
    {
        _doorbell = doorbell;
        _pollTime = pollTime;
        Profile = profile;
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
        foreach (var channel in _active.Concat(_parked))
            channel.Close(_stoppedReason, ChannelEnd.ShutDown);
        _active.Clear();
        _parked.Clear();
    }

    public void Dispose() => Stop("the transport shut down");

    /// <summary><c>receiver-profile</c>: the thread's CPU by what its rounds did; null when off.</summary>
    public ReceiverProfile? Profile { get; }

    private void Run()
    {
        var idle = new IdleStrategy(_pollTime);
        var profile = Profile;
        profile?.Start();
        while (!_stopping)
        {
            try
            {
                var phase = RunOnce(ref idle);
                profile?.RoundEnded(phase);
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

    /// <summary>
    /// One round: serve the active channels (and the parked ones the doorbell brought back), or idle (spin, yield,
    /// then park every channel and sleep on the doorbell).
    /// </summary>
    /// <param name="idle">By reference: the idle strategy is a struct whose count must carry over between rounds.</param>
    /// <returns>What the round did, for <see cref="Profile"/>.</returns>
    private ReceiverPhase RunOnce(ref IdleStrategy idle)
    {
        _roundFault?.Invoke();
        int work = TakeAdded();
        if (_parked.Count > 0 && _doorbell.TryWait())
            work += UnparkSignalled(all: false);
        if (ServiceActive() + work > 0)
        {
            idle.Reset();
            return ReceiverPhase.Deliver;
        }
        var action = idle.Idle(mayYield: Stopwatch.GetTimestamp() - _lastTakenAt >= SetUpTicks);
        if (action != IdleAction.Block)
            return action == IdleAction.Yielded ? ReceiverPhase.Yield : ReceiverPhase.Spin;
        bool woken = true;
        bool slept = ParkAllToSleep();
        if (slept)
        {
            Sleeps++;
            woken = _doorbell.Wait(SleepMilliseconds);
            // Every post so far is answered by the scan below (each poster wrote before it posted), so the count goes
            // too: posts that piled up while awake would otherwise each cost a wake-up (with receiver-poll-time, each
            // a whole poll time) with nothing to do.
            while (woken && _doorbell.TryWait())
            {
            }
        }
        // Woken: only the channels with something to do come back. Timed out: the safety net serves every one once.
        UnparkSignalled(all: !woken);
        idle.ResetAfterSleep(); // the poll time starts again only after work is found
        return slept ? ReceiverPhase.Sleep : ReceiverPhase.Spin; // not slept: a channel had work after all
    }

    private int ServiceActive()
    {
        int work = 0;
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var channel = _active[i];
            int done;
            try
            {
                done = channel.Service();
            }
            catch (Exception e)
            {
                _backoff.Report(e);
                channel.Close("internal error: " + e.Message, ChannelEnd.Failed);
                done = 1;
            }
            if (channel.IsClosed)
            {
                RemoveActiveAt(i);
                work++;
                continue;
            }
            work += done;
            if (done > 0)
                channel.IdleRounds = 0;
            else if (++channel.IdleRounds >= ParkAfterIdleRounds && channel.CanPark && channel.Park())
            {
                RemoveActiveAt(i);
                _parked.Add(channel);
            }
        }
        return work;
    }

    /// <summary>Order among the active channels does not matter: the last one takes the removed one's place.</summary>
    private void RemoveActiveAt(int index)
    {
        _active[index] = _active[^1];
        _active.RemoveAt(_active.Count - 1);
    }

    /// <summary>
    /// Before blocking: parks every active channel (each ring's asleep flag raised, then its tail checked once more);
    /// false when one of them got something meanwhile, or a channel was added: then do not block.
    /// </summary>
    private bool ParkAllToSleep()
    {
        bool sleep = true;
        foreach (var channel in _active)
        {
            sleep &= channel.Park();
            _parked.Add(channel);
        }
        _active.Clear();
        return sleep && _added.IsEmpty;
    }

    /// <summary>Brings parked channels back to the active ones: those with something to do, or all.</summary>
    private int UnparkSignalled(bool all)
    {
        int unparked = 0;
        for (int i = _parked.Count - 1; i >= 0; i--)
        {
            var channel = _parked[i];
            if (!all && !channel.NeedsService())
                continue;
            _parked[i] = _parked[^1];
            _parked.RemoveAt(_parked.Count - 1);
            channel.Unpark();
            _active.Add(channel);
            unparked++;
        }
        return unparked;
    }

    private int TakeAdded()
    {
        int added = 0;
        while (_added.TryDequeue(out var channel))
        {
            channel.Profile = Profile;
            _active.Add(channel);
            added++;
        }
        if (added > 0)
            _lastTakenAt = Stopwatch.GetTimestamp();
        return added;
    }
}
