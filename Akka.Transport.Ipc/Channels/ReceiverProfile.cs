using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Channels;

/// <summary>What a round of the shared-memory receiver thread spent its time on (see <see cref="ReceiverProfile"/>).</summary>
internal enum ReceiverPhase
{
    /// <summary>A round that found work: frames read and handed to Akka, queued frames drained, closes performed.</summary>
    Deliver,

    /// <summary>A round during which a garbage collection happened (on this thread or while it was suspended for one).</summary>
    Gc,

    /// <summary>An empty round that spun (every active channel polled, then a short spin-wait).</summary>
    Spin,

    /// <summary>An empty round that yielded the core.</summary>
    Yield,

    /// <summary>A round that parked every channel and blocked on the doorbell until a writer (or the safety net) woke it.</summary>
    Sleep,
}

/// <summary>
/// <c>receiver-profile = on</c>: the receiver thread's own CPU time, split by what each round did
/// (<see cref="ReceiverPhase"/>), and the number of rounds of each kind. It answers "where does the transport's CPU per
/// message go" when a workload changes (more processes, more associations, a crowded machine) without a profiler:
/// delivering (our ring reads, the copy Akka needs, Akka's Notify), collecting garbage, or idling between bursts
/// (spins, yields and sleeps, whose cost per round grows with context switches on an oversubscribed host).
/// </summary>
/// <remarks>
/// Costs one <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> (a system call, ~0.2 µs) and one GC count read per round,
/// which is why it is off by default. Written by the receiver thread only; read by any thread (aligned 64-bit fields
/// never tear, and a total read a moment late is still a total).
/// </remarks>
internal sealed class ReceiverProfile
{
    /// <summary>The phases, in the order of <see cref="ReceiverPhase"/>.</summary>
    public static readonly ReceiverPhase[] Phases = Enum.GetValues<ReceiverPhase>();

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID (linux/time.h)

    private readonly long[] _cpuNanoseconds = new long[Phases.Length];
    private readonly long[] _rounds = new long[Phases.Length];
    private long _roundStartCpu;
    private int _roundStartGcs;

    /// <summary>Receiver thread, before its first round: the clock starts here.</summary>
    public void Start()
    {
        _roundStartCpu = ThreadCpuNanoseconds();
        _roundStartGcs = GC.CollectionCount(0);
    }

    /// <summary>
    /// Receiver thread, after each round: charges the thread's CPU since the previous call to <paramref name="phase"/>,
    /// or to <see cref="ReceiverPhase.Gc"/> when a collection happened meanwhile. One clock read per round: the end of
    /// one round is the start of the next.
    /// </summary>
    public void RoundEnded(ReceiverPhase phase)
    {
        long now = ThreadCpuNanoseconds();
        int gcs = GC.CollectionCount(0);
        if (gcs != _roundStartGcs)
            phase = ReceiverPhase.Gc;
        int index = (int)phase;
        Volatile.Write(ref _cpuNanoseconds[index], _cpuNanoseconds[index] + (now - _roundStartCpu));
        Volatile.Write(ref _rounds[index], _rounds[index] + 1);
        _roundStartCpu = now;
        _roundStartGcs = gcs;
    }

    /// <summary>CPU time the thread spent in rounds of <paramref name="phase"/>, in nanoseconds.</summary>
    public long CpuNanoseconds(ReceiverPhase phase) => Volatile.Read(ref _cpuNanoseconds[(int)phase]);

    /// <summary>Rounds of <paramref name="phase"/>.</summary>
    public long Rounds(ReceiverPhase phase) => Volatile.Read(ref _rounds[(int)phase]);

    /// <summary>Adds <paramref name="other"/>'s totals to these (a stopped receiver's, kept in a metric's totals).</summary>
    public void Add(ReceiverProfile other)
    {
        foreach (var phase in Phases)
        {
            int index = (int)phase;
            Volatile.Write(ref _cpuNanoseconds[index], _cpuNanoseconds[index] + other.CpuNanoseconds(phase));
            Volatile.Write(ref _rounds[index], _rounds[index] + other.Rounds(phase));
        }
    }

    private static unsafe long ThreadCpuNanoseconds()
    {
        LibC.Timespec time;
        return LibC.ClockGetTime(ClockThreadCpuTime, &time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : 0;
    }
}
