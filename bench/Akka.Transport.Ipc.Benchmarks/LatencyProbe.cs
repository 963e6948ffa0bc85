using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Win32.SafeHandles;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// What a process had done up to one moment, read around every latency sample to say what happened during it:
/// .NET garbage collections (count and total pause), the shm receiver's sleeps and the doorbell posts of this process
/// (the transport's meter; 0 over dot-netty), how long some task on the host waited for a core (the kernel's CPU
/// pressure, /proc/pressure/cpu "some": on a shared 2-core machine, contention), and the thread pool's size.
/// </summary>
/// <param name="Timestamp"><see cref="Stopwatch.GetTimestamp"/>: CLOCK_MONOTONIC, comparable across processes.</param>
/// <param name="HostCpuWaitUs">Cumulative µs during which at least one runnable task on the host had no core; -1 when
/// the kernel has no pressure information.</param>
internal readonly record struct ProbeReading(long Timestamp, int Gcs, long GcPauseTicks, long Sleeps, long Posts, long HostCpuWaitUs,
    int PoolThreads);

/// <summary>
/// Takes <see cref="ProbeReading"/>s. Everything but the meter is a counter read plus one <c>pread</c> of an open
/// /proc/pressure/cpu (a few microseconds, nothing allocated); the meter is read only when asked (<see cref="Read(bool)"/>), since collecting it takes
/// a lock and allocates inside the transport's meter. Not thread-safe: one reader at a time (a sampling loop, or one
/// actor).
/// </summary>
internal sealed class LatencyProbe : IDisposable
{
    private const string PressurePath = "/proc/pressure/cpu";

    private readonly SafeFileHandle? _pressure = OpenPressure();
    private readonly byte[] _pressureText = new byte[256];
    private readonly MeterListener? _listener;
    private long _sleeps;
    private long _posts;

    /// <param name="withMeter">Listen to the transport's meter (Akka.Transport.Ipc) for its sleeps and posts.</param>
    public LatencyProbe(bool withMeter)
    {
        if (!withMeter)
            return;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Akka.Transport.Ipc" && instrument.Name is "akka.ipc.receiver.sleeps" or "akka.ipc.doorbell.posts")
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        // Observable counters report running totals, one measurement per tag set: sum them.
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "akka.ipc.receiver.sleeps")
                _sleeps += value;
            else
                _posts += value;
        });
        _listener.Start();
    }

    /// <summary>Whether the kernel reports CPU pressure (<see cref="ProbeReading.HostCpuWaitUs"/> is meaningful).</summary>
    public bool HasPressure => _pressure != null;

    /// <summary>Reads every counter; the meter only with <paramref name="meter"/> (and a listener).</summary>
    public ProbeReading Read(bool meter)
    {
        if (meter && _listener != null)
        {
            _sleeps = _posts = 0;
            _listener.RecordObservableInstruments();
        }
        return new ProbeReading(Stopwatch.GetTimestamp(), GC.CollectionCount(0), GC.GetTotalPauseDuration().Ticks, _sleeps, _posts,
            HostCpuWait(), ThreadPool.ThreadCount);
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _pressure?.Dispose();
    }

    private static SafeFileHandle? OpenPressure()
    {
        try
        {
            return File.OpenHandle(PressurePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The "total=" of the first ("some") line: a pread at offset 0 makes procfs render it afresh.</summary>
    private long HostCpuWait()
    {
        if (_pressure == null)
            return -1;
        int length = RandomAccess.Read(_pressure, _pressureText, 0);
        ReadOnlySpan<byte> text = _pressureText.AsSpan(0, length);
        int total = text.IndexOf("total="u8);
        if (total < 0)
            return -1;
        long value = 0;
        for (int i = total + 6; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++)
            value = value * 10 + (text[i] - '0');
        return value;
    }

    /// <summary>The sample number a latency payload carries in its first 4 bytes (-1: warm-up, not recorded).</summary>
    public static int SampleOf(byte[] payload) => payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : -1;

    public static void MarkSample(byte[] payload, int sample) => BinaryPrimitives.WriteInt32LittleEndian(payload, sample);
}

/// <summary>
/// The echo process's side of the latency attribution: for every sample it echoes, the moment the request reached
/// the echo actor and a <see cref="ProbeReading"/> taken just after the reply was handed to Akka (so the reading
/// never delays the reply). Written by the echo actor only; sent to the parent when it asks ("report-probes").
/// </summary>
internal sealed class EchoProbes(int samples)
{
    private readonly LatencyProbe _probe = new(withMeter: false);
    private readonly long[] _arrived = new long[samples];
    private readonly ProbeReading[] _readings = new ProbeReading[samples];
    private int _recorded;

    /// <summary>The echo process's recorder, when it was started with --record-samples; else null.</summary>
    public static EchoProbes? Current { get; set; }

    /// <summary>Call with the request's arrival time after replying to it; warm-up requests (-1) are ignored.</summary>
    public void Record(byte[] request, long arrived)
    {
        int sample = LatencyProbe.SampleOf(request);
        if ((uint)sample >= (uint)_arrived.Length)
            return;
        _arrived[sample] = arrived;
        _readings[sample] = _probe.Read(meter: false);
        _recorded = Math.Max(_recorded, sample + 1);
    }

    /// <summary>What the parent joins with the client's samples; then clears, for the next repetition.</summary>
    public object TakeReport()
    {
        int n = _recorded;
        var report = new
        {
            arrived = _arrived[..n],
            gcs = _readings[..n].Select(r => r.Gcs).ToArray(),
            gcPauseTicks = _readings[..n].Select(r => r.GcPauseTicks).ToArray(),
            poolThreads = _readings[..n].Select(r => r.PoolThreads).ToArray(),
        };
        _recorded = 0;
        return report;
    }
}
