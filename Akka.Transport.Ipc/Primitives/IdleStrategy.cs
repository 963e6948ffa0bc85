using System.Diagnostics;

namespace Akka.Transport.Ipc.Primitives;

/// <summary>
/// Spin → yield → block, after Agrona's BackoffIdleStrategy. Spinning is kept very short: on a machine with few
/// cores a spinning reader steals the very core Akka's dispatcher (or the peer) needs. Measured on 2 vCPUs
/// (PingPong, one Ask in flight): 64 spins + 16 yields gave 14 k msgs/s, 200 + 50 gave 7 k, 8 + 2 gave 17–20 k,
/// and the 100 000-message two-process stream was fastest with 8 + 2 as well.
/// </summary>
/// <remarks>
/// Yielding pays only while the cores are not oversubscribed: then sched_yield returns at once (or after the peer's
/// short turn), and catching the next frame awake saves a sleep and a wake-up. When more threads want the cores
/// than there are, a yielding thread stays runnable behind all of them and gets its core back only when its turn
/// comes, a scheduler slice later, while a blocked one is woken, ahead of them, the moment a writer posts. So a
/// yield that kept the thread away longer than <see cref="SlowYield"/> turns yielding off for
/// <see cref="NoYieldPeriod"/>: spin, then block at once (measured with the benchmark's setup part at load average
/// 9–20 on 2 vCPUs: a fresh shm association's Associate-to-first-delivery median fell from 3.2–4.4 ms to 1.7–2.8 ms,
/// the yielding receiver having seen most answers a slice late).
/// </remarks>
internal struct IdleStrategy
{
    /// <summary>Empty polls spent spinning (each a few hundred nanoseconds) before yielding.</summary>
    public const int SpinPolls = 8;

    /// <summary>Empty polls spent yielding the core before blocking.</summary>
    public const int YieldPolls = 2;

    /// <summary>
    /// A yield that returns later than this means other runnable threads took the core: the cores are
    /// oversubscribed. Far above a yield's own cost (about a microsecond) and a peer's short turn.
    /// </summary>
    public static readonly TimeSpan SlowYield = TimeSpan.FromMicroseconds(200);

    /// <summary>How long yielding stays off after a slow yield, before one yield tries again.</summary>
    public static readonly TimeSpan NoYieldPeriod = TimeSpan.FromSeconds(1);

    private static readonly long SlowYieldTicks = (long)(SlowYield.TotalSeconds * Stopwatch.Frequency);
    private static readonly long NoYieldTicks = (long)(NoYieldPeriod.TotalSeconds * Stopwatch.Frequency);

    private int _idlePolls;
    private long _yieldAgainAt; // Stopwatch timestamp; 0 = yielding is on

    /// <summary>Whether yielding is off (a recent yield was slow) at <paramref name="now"/>, a Stopwatch timestamp.</summary>
    public readonly bool YieldingOff(long now) => _yieldAgainAt != 0 && now < _yieldAgainAt;

    /// <summary>Call after a poll that found work.</summary>
    public void Reset() => _idlePolls = 0;

    /// <summary>Call after a poll that found nothing; returns true when it is time to block.</summary>
    public bool Idle()
    {
        int polls = ++_idlePolls;
        if (polls <= SpinPolls)
        {
            Thread.SpinWait(32);
            return false;
        }
        if (polls <= SpinPolls + YieldPolls)
        {
            long start = Stopwatch.GetTimestamp();
            if (YieldingOff(start))
                return true;
            Thread.Yield();
            long end = Stopwatch.GetTimestamp();
            _yieldAgainAt = end - start > SlowYieldTicks ? end + NoYieldTicks : 0;
            return false;
        }
        return true;
    }
}
