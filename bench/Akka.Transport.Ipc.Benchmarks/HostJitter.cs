using System.Diagnostics;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// How often this host takes a core away from a thread that never blocks: one thread spins on the monotonic clock for
/// a while and records every gap between two consecutive readings longer than 200 µs (the thread was not running:
/// another task's time slice, an interrupt, the hypervisor). An Ask whose critical thread meets such a gap is at
/// least that slow whatever the transport, so the gap rate is the floor of the latency tail on this machine.
/// Run only between measurements: it occupies a core while it spins.
/// </summary>
internal static class HostJitter
{
    private static readonly long GapTicks = Stopwatch.Frequency / 5_000; // 200 µs
    private static readonly long MillisecondTicks = Stopwatch.Frequency / 1_000;

    public static HostJitterRow Measure(string when, TimeSpan duration)
    {
        long gaps = 0, gapsOver1Ms = 0, lost = 0, longest = 0;
        long start = Stopwatch.GetTimestamp(), end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency), last = start;
        var thread = new Thread(() =>
        {
            while (last < end)
            {
                long now = Stopwatch.GetTimestamp();
                long gap = now - last;
                if (gap > GapTicks)
                {
                    gaps++;
                    lost += gap;
                    longest = Math.Max(longest, gap);
                    if (gap >= MillisecondTicks)
                        gapsOver1Ms++;
                }
                last = now;
            }
        }) { IsBackground = true, Name = "host-jitter" };
        thread.Start();
        thread.Join();
        double seconds = (last - start) / (double)Stopwatch.Frequency;
        double ms(long ticks) => ticks * 1e3 / Stopwatch.Frequency;
        return new HostJitterRow(when, seconds, gaps / seconds, gapsOver1Ms / seconds, ms(lost) / seconds, ms(longest), LoadAverage1());
    }

    private static double LoadAverage1()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return double.NaN;
        }
    }
}
