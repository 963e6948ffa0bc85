using System.Diagnostics;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Spin → yield → block, after Agrona's BackoffIdleStrategy. Spinning is kept very short: on a machine with few
/// cores a spinning reader steals the very core Akka's dispatcher (or the peer) needs. Measured on 2 vCPUs
/// (PingPong, one Ask in flight): 64 spins + 16 yields gave 14 k msgs/s, 200 + 50 gave 7 k, 8 + 2 gave 17–20 k,
/// and the 100 000-message two-process stream was fastest with 8 + 2 as well.
/// </summary>
/// <remarks>
/// With a poll time (<c>receiver-poll-time</c>), the yield phase lasts at least that long after the last work (not after
/// a sleep: see <see cref="ResetAfterSleep"/>), so a request/response workload whose gaps are shorter never sleeps and
/// never pays a wake-up. The clock is read once per idle episode and once per yield, never while working.
/// </remarks>
internal struct IdleStrategy
{
    /// <summary>Empty polls spent spinning (each a few hundred nanoseconds) before yielding.</summary>
    public const int SpinPolls = 8;

    /// <summary>Empty polls spent yielding the core before blocking.</summary>
    public const int YieldPolls = 2;

    private readonly long _pollTicks; // Stopwatch ticks of receiver-poll-time; 0 = YieldPolls only
    private int _idlePolls;
    private bool _afterWork; // the current idle episode follows work (not a sleep): it polls for the poll time
    private long _pollUntil; // Stopwatch timestamp: end of this idle episode's poll time (only with a poll time)

    /// <summary>An idle strategy that yields <see cref="YieldPolls"/> times, or for <paramref name="pollTime"/> if longer.</summary>
    public IdleStrategy(TimeSpan pollTime) => _pollTicks = (long)(pollTime.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Call after a poll that found work: the next idle episode polls for the poll time.</summary>
    public void Reset()
    {
        _idlePolls = 0;
        _afterWork = true;
    }

    /// <summary>
    /// Call after waking from a sleep, before any work is found: the next idle episode spins and yields as usual but
    /// does not poll for the poll time again (the 200 ms safety-net wake-ups of an idle receiver would otherwise each
    /// start a whole poll time, and an idle transport would burn most of a core).
    /// </summary>
    public void ResetAfterSleep()
    {
        _idlePolls = 0;
        _afterWork = false;
    }

    /// <summary>Call after a poll that found nothing: spins or yields, or says it is time to block.</summary>
    /// <param name="mayYield">
    /// false: block right after spinning. A yielding thread stays runnable behind every busy thread on an
    /// oversubscribed machine and sees the next frame only when its turn comes again, a scheduler slice (milliseconds)
    /// later, where a blocked one is woken ahead of them by the writer's post; yields pay only while streaming.
    /// </param>
    public IdleAction Idle(bool mayYield = true)
    {
        int polls = ++_idlePolls;
        if (polls == 1 && _pollTicks > 0)
            _pollUntil = _afterWork ? Stopwatch.GetTimestamp() + _pollTicks : 0;
        if (polls <= SpinPolls)
        {
            Thread.SpinWait(32);
            return IdleAction.Spun;
        }
        if (mayYield && (polls <= SpinPolls + YieldPolls || (_pollTicks > 0 && Stopwatch.GetTimestamp() < _pollUntil)))
        {
            Thread.Yield();
            return IdleAction.Yielded;
        }
        return IdleAction.Block;
    }
}

/// <summary>What <see cref="IdleStrategy.Idle"/> did.</summary>
internal enum IdleAction
{
    /// <summary>Spun briefly; poll again.</summary>
    Spun,

    /// <summary>Yielded the core; poll again.</summary>
    Yielded,

    /// <summary>Nothing done: time to block.</summary>
    Block,
}
