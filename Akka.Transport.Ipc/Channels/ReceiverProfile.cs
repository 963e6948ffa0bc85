using System.Diagnostics;
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

    /// <summary>
    /// On average one frame in this many has its hand-off to Akka timed, on the monotonic clock (two vDSO reads, no
    /// system call: the thread-CPU clock's system calls disturb a sub-microsecond call too much, TLB and caches, and
    /// doubled what it measured). A timed hand-off longer than <see cref="PreemptedSample"/> was preempted and is not
    /// kept. The gaps are random
    /// (1 to twice this): a fixed one falls in step with periodic costs (an allocation context refilled every so many
    /// frames, a page touched for the first time) and times only those.
    /// </summary>
    public const int HandOffSampleInterval = 64;

    private const int ClockThreadCpuTime = 3; // CLOCK_THREAD_CPUTIME_ID (linux/time.h)

    /// <summary>
    /// A hand-off this long was interrupted (preempted, or its virtual CPU descheduled: its wall time is not its CPU
    /// time) and is not kept. A real one takes well under a microsecond, a few with a page fault or a thread-pool
    /// wake-up; one 30 µs outlier kept would add 2 ms to the estimate.
    /// </summary>
    private static readonly long PreemptedSample = Stopwatch.Frequency / 50_000; // 20 µs

    private readonly long[] _cpuNanoseconds = new long[Phases.Length];
    private readonly long[] _rounds = new long[Phases.Length];
    private long _roundStartCpu;
    private int _roundStartGcs;
    private long _handOffs;
    private long _handOffSamples;
    private long _handOffSampledNanoseconds;
    private int _untilHandOffSample = HandOffSampleInterval; // not the very first frames: their code is still being compiled
    private int _sampleStartGcs;
    private uint _random = 2463534242; // xorshift32 state: the gaps between timed hand-offs
    private long _clockReadTicks; // what a sample's own clock read adds to it, measured at Start

    /// <summary>Receiver thread, before its first round: the clock starts here.</summary>
    public void Start()
    {
        long fastest = long.MaxValue;
        for (int i = 0; i < 32; i++)
        {
            long start = Stopwatch.GetTimestamp();
            fastest = Math.Min(fastest, Stopwatch.GetTimestamp() - start);
        }
        _clockReadTicks = fastest;
        _roundStartCpu = ThreadCpuNanoseconds();
        _roundStartGcs = GC.CollectionCount(0);
    }

    /// <summary>
    /// Receiver thread, before a frame is handed to Akka: counts it, and returns true for one in
    /// <see cref="HandOffSampleInterval"/>, whose hand-off the caller times with <see cref="SampleStart"/> and
    /// <see cref="SampleEnd"/>.
    /// </summary>
    public bool SampleNextHandOff()
    {
        Volatile.Write(ref _handOffs, _handOffs + 1);
        if (--_untilHandOffSample > 0)
            return false;
        _random ^= _random << 13;
        _random ^= _random >> 17;
        _random ^= _random << 5;
        _untilHandOffSample = 1 + (int)(_random % (2 * HandOffSampleInterval - 1)); // mean HandOffSampleInterval
        return true;
    }

    /// <summary>The monotonic clock now, to pass to <see cref="SampleEnd"/>.</summary>
    public long SampleStart()
    {
        _sampleStartGcs = GC.CollectionCount(0);
        return Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Records one timed hand-off that started at <paramref name="start"/>, less the clock read's own cost. A hand-off
    /// during which a garbage collection ran is not kept (its round is charged to gc, not deliver), nor a preempted one.
    /// </summary>
    public void SampleEnd(long start)
    {
        long ticks = Stopwatch.GetTimestamp() - start;
        if (GC.CollectionCount(0) != _sampleStartGcs || ticks > PreemptedSample)
        {
            _untilHandOffSample = 1; // time the next one instead
            return;
        }
        long spent = (long)(Math.Max(0, ticks - _clockReadTicks) * (1e9 / Stopwatch.Frequency));
        Volatile.Write(ref _handOffSampledNanoseconds, _handOffSampledNanoseconds + spent);
        Volatile.Write(ref _handOffSamples, _handOffSamples + 1);
    }

    /// <summary>Frames handed to Akka (each a ByteString copy and Akka's Notify, inside deliver rounds).</summary>
    public long HandOffs => Volatile.Read(ref _handOffs);

    /// <summary>Hand-offs timed.</summary>
    public long HandOffSamples => Volatile.Read(ref _handOffSamples);

    /// <summary>
    /// CPU the hand-offs to Akka cost, in nanoseconds, estimated from the timed ones (part of the deliver rounds'
    /// CPU; the rest is ours: polling the rings, reading and checking frames).
    /// </summary>
    public long HandOffCpuNanoseconds
    {
        get
        {
            long samples = HandOffSamples;
            return samples == 0 ? 0 : (long)((double)Volatile.Read(ref _handOffSampledNanoseconds) * HandOffs / samples);
        }
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
        // Summed so that the estimate of the sum is the sum of the estimates.
        Volatile.Write(ref _handOffSampledNanoseconds, _handOffSampledNanoseconds + other.HandOffCpuNanoseconds);
        Volatile.Write(ref _handOffSamples, _handOffSamples + other.HandOffs);
        Volatile.Write(ref _handOffs, _handOffs + other.HandOffs);
    }

    private static unsafe long ThreadCpuNanoseconds()
    {
        LibC.Timespec time;
        return LibC.ClockGetTime(ClockThreadCpuTime, &time) == 0 ? time.Seconds * 1_000_000_000 + time.Nanoseconds : 0;
    }
}
