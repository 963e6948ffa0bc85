using System.Globalization;
using System.Text.Json;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// One Ask sample and what co-occurred with it, joined from both processes' probe readings
/// (<see cref="LatencyProbe"/>, <see cref="EchoProbes"/>).
/// </summary>
/// <param name="GcClient">A GC in the client process between its readings before and after the sample (one reading
/// between two samples, outside the timed spans).</param>
/// <param name="GcServer">A GC in the echo process between its readings after echoing the previous and the next
/// sample: that window contains this sample's request and reply (and a little of its neighbours').</param>
/// <param name="Wake">The client posted the echo process's doorbell (its receiver slept when the request came), or
/// the client's own receiver slept during the sample (the reply had to wake it). Shm only: 0 elsewhere.</param>
/// <param name="Contended">Some task on the host waited for a core during the sample (the kernel's CPU pressure,
/// /proc/pressure/cpu "some", read by the client around the sample, went up). The kernel adds to it at scheduler
/// events, in steps of up to a scheduler tick (measured here: 0 in 90 % of 1 ms windows while three busy loops shared
/// the 2 cores, 4–9 ms in the others), so it marks samples of a few ms reliably and shorter ones by chance.</param>
/// <param name="HostCpuWaitPct">That wait as a share (%) of the sample's duration (may exceed 100 by the readings'
/// own time); NaN without pressure information.</param>
/// <param name="Pool">The thread pool of either process changed size (threads injected or retired).</param>
/// <param name="RequestUs">Client's send to the echo actor's receipt (monotonic clock across processes).</param>
/// <param name="ReplyUs">The echo actor's receipt to the client's Ask completing.</param>
internal readonly record struct TailSample(double Us, bool GcClient, bool GcServer, double GcPauseUs, bool Wake, bool Contended, double HostCpuWaitPct, bool Pool,
    double RequestUs, double ReplyUs)
{
    public bool Gc => GcClient || GcServer;

    public bool Unexplained => !Gc && !Wake && !Contended && !Pool;
}

/// <summary>The latency part's attribution: per sample, what happened during it; per mode, who the slowest samples met.</summary>
internal sealed partial class Bench
{
    private readonly Dictionary<string, List<TailSample>> _tailSamples = new();

    /// <summary>The echo process records every sample (its arrival time and probe readings) when started with these.</summary>
    private string[] TailEchoArgs() => ["--record-samples", Inv(options.LatencySamples)];

    /// <summary>The host's own noise, before and after the latency samples (see <see cref="HostJitter"/>).</summary>
    private void MeasureHostJitter(string when)
    {
        var row = HostJitter.Measure(when, TimeSpan.FromSeconds(options.Quick ? 1 : 3));
        report.HostJitter.Add(row);
        Console.WriteLine($"  host jitter ({when}): a spinning thread lost its core {Table.F1(row.GapsPerSec)} times/s for > 200 us " +
            $"({Table.F1(row.GapsOver1MsPerSec)}/s for >= 1 ms), {Table.F1(row.LostMsPerSec)} ms/s in all, longest {Table.F1(row.LongestMs)} ms");
    }

    /// <summary>Asks the echo process for its records of the repetition that just ended and joins them with the client's.</summary>
    private async Task CollectTailAsync(string mode, Child echo, JsonElement client)
    {
        echo.Send("report-probes");
        var server = await echo.ReceiveAsync("echo-probes", TimeSpan.FromSeconds(60));
        var list = _tailSamples.TryGetValue(mode, out var l) ? l : _tailSamples[mode] = new List<TailSample>();
        list.AddRange(Join(client, server));
    }

    private static IEnumerable<TailSample> Join(JsonElement client, JsonElement server)
    {
        double[] us = Doubles(client, "samples");
        long[] starts = Longs(client, "starts"), gcs = Longs(client, "gcs"), pause = Longs(client, "gcPauseTicks"),
            sleeps = Longs(client, "sleeps"), posts = Longs(client, "posts"), wait = Longs(client, "hostCpuWaitUs"),
            pool = Longs(client, "poolThreads");
        long[] arrived = Longs(server, "arrived"), sGcs = Longs(server, "gcs"), sPause = Longs(server, "gcPauseTicks"),
            sPool = Longs(server, "poolThreads");
        double perUs = client.GetProperty("frequency").GetDouble() / 1e6;
        bool pressure = client.GetProperty("pressure").GetBoolean();
        int n = us.Length;
        if (arrived.Length != n)
            throw new InvalidOperationException($"latency: the echo process recorded {arrived.Length} samples, the client {n}");
        for (int i = 0; i < n; i++)
        {
            int from = Math.Max(i - 1, 0), to = Math.Min(i + 1, n - 1);
            long Server(long[] values) => values[to] - values[from];
            double request = (arrived[i] - starts[i]) / perUs;
            double waitPct = pressure ? 100.0 * wait[i] / us[i] : double.NaN;
            yield return new TailSample(us[i], gcs[i] > 0, Server(sGcs) > 0, (pause[i] + Server(sPause)) / 10.0,
                posts[i] > 0 || sleeps[i] > 0, wait[i] > 0, waitPct, pool[i] != 0 || Server(sPool) != 0,
                request, us[i] - request);
        }
    }

    private static double[] Doubles(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static long[] Longs(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(v => v.GetInt64()).ToArray();

    /// <summary>Per mode: every sample, the slowest 1 % and the slowest 0.1 %, with the share of each co-occurring cause.</summary>
    private void SummarizeTail()
    {
        foreach (var (mode, samples) in _tailSamples)
        {
            var slowestFirst = samples.OrderByDescending(s => s.Us).ToArray();
            foreach (var (slice, fraction) in new[] { ("all", 1.0), ("slowest 1 %", 0.01), ("slowest 0.1 %", 0.001) })
            {
                var part = slowestFirst.Take(Math.Max(1, (int)Math.Round(slowestFirst.Length * fraction))).ToArray();
                double Share(Func<TailSample, bool> f) => 100.0 * part.Count(f) / part.Length;
                bool shm = ActorModes.IsShm(mode); // the meter counts shm wake-ups only
                report.LatencyTail.Add(new LatencyTailRow(mode, slice, part.Length, part.Min(s => s.Us), Stats.Median(part.Select(s => s.Us)),
                    Share(s => s.GcClient), Share(s => s.GcServer), Share(s => s.Gc), shm ? Share(s => s.Wake) : double.NaN,
                    Share(s => s.Contended), Stats.Median(part.Select(s => s.HostCpuWaitPct)), Share(s => s.Pool), Share(s => s.Unexplained),
                    Stats.Median(part.Where(s => s.Gc).Select(s => s.GcPauseUs)),
                    Stats.Median(part.Select(s => s.RequestUs)), Stats.Median(part.Select(s => s.ReplyUs)),
                    100.0 * part.Count(s => s.RequestUs > s.ReplyUs) / part.Length));
            }
        }
        foreach (var (mode, samples) in _tailSamples)
        {
            foreach (var (cause, has) in new (string, Func<TailSample, bool>)[] { ("wake-up", s => s.Wake), ("GC either", s => s.Gc), ("contended", s => s.Contended) })
            {
                if (cause == "wake-up" && !ActorModes.IsShm(mode))
                    continue;
                var with = samples.Where(has).Select(s => s.Us).Order().ToArray();
                var without = samples.Where(s => !has(s)).Select(s => s.Us).Order().ToArray();
                report.LatencyByCause.Add(new LatencyByCauseRow(mode, cause, with.Length, Stats.Percentile(with, 0.5), Stats.Percentile(with, 0.99),
                    without.Length, Stats.Percentile(without, 0.5), Stats.Percentile(without, 0.99), Stats.Percentile(without, 0.999)));
            }
        }
        _tailSamples.Clear();
    }

    public void PrintLatencyTail()
    {
        if (report.LatencyTail.Count == 0)
            return;
        Table.Print("Where the Ask tail comes from: share of samples (%) during which each happened (not exclusive). GC = a .NET " +
            "collection in the client (during the sample) or the echo process (between echoing the previous and the next sample); " +
            "wake-up = a shm receiver slept and was woken by a doorbell post (shm only); contended = some task on the host waited for " +
            "a core during the sample (/proc/pressure/cpu 'some' went up; it moves in scheduler-tick steps, so only samples of a few ms are marked " +
            "reliably; host wait = its median share of the sample); pool = a thread pool grew or shrank; none = none of these. Legs: request = send to the echo " +
            "actor's receipt, reply = receipt to the Ask's completion (monotonic clock across processes)",
            new[] { "mode", "samples", "slice", "from us", "median us", "GC client", "GC echo", "GC either", "wake-up", "contended", "host wait %", "pool", "none",
                "GC pause us (median)", "request leg us", "reply leg us", "request leg longer" },
            report.LatencyTail.OrderBy(r => Array.IndexOf(ActorModes.Known, r.Mode)).Select(r => new[]
            {
                r.Mode, Table.N0(r.Samples), r.Slice, Table.F1(r.FromUs), Table.F1(r.MedianUs), Pct(r.GcClientPct), Pct(r.GcEchoPct),
                Pct(r.GcEitherPct), Pct(r.WakePct), Pct(r.ContendedPct), Pct(r.HostCpuWaitMedianPct), Pct(r.PoolPct), Pct(r.NonePct), Table.F1(r.GcPauseMedianUs),
                Table.F1(r.RequestLegMedianUs), Table.F1(r.ReplyLegMedianUs), Pct(r.RequestLongerPct),
            }));
        Table.Print("Host jitter: a thread that only spins, on this machine, just before and after the latency samples (a floor " +
            "of the tail whatever the transport: an Ask whose critical thread meets such a gap is at least that slow)",
            new[] { "when", "seconds", "gaps > 200 us /s", "gaps >= 1 ms /s", "lost ms/s", "longest ms", "load average" },
            report.HostJitter.Select(r => new[]
            {
                r.When, Table.F1(r.Seconds), Table.F1(r.GapsPerSec), Table.F1(r.GapsOver1MsPerSec), Table.F1(r.LostMsPerSec), Table.F1(r.LongestMs),
                Table.F2(r.LoadAverage),
            }));
        Table.Print("What each cause costs: Ask round trip (us) of the samples during which it happened, and of the others",
            new[] { "mode", "cause", "samples with", "p50 with", "p99 with", "samples without", "p50 without", "p99 without", "p99.9 without" },
            report.LatencyByCause.OrderBy(r => Array.IndexOf(ActorModes.Known, r.Mode)).Select(r => new[]
            {
                r.Mode, r.Cause, Table.N0(r.With), Table.F1(r.WithP50Us), Table.F1(r.WithP99Us), Table.N0(r.Without), Table.F1(r.WithoutP50Us),
                Table.F1(r.WithoutP99Us), Table.F1(r.WithoutP999Us),
            }));
    }

    private static string Pct(double v) => double.IsFinite(v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
