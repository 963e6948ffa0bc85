using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Akka.Transport.Ipc.Benchmarks;

internal sealed record E2ERow(string Mode, int Repetition, int Clients, long RoundTrips, double ElapsedMs, double MsgsPerSec,
    double CpuUsPerMsg, double TransportThreadsUsPerMsg, double CoresBusy);

internal sealed record LatencyRow(string Mode, string Repetition, int Samples, double MeanUs, double P50Us, double P90Us,
    double P99Us, double P999Us, double MaxUs, double AsksPerSec);

/// <summary>One slice of a mode's Ask samples (all, slowest 1 %, slowest 0.1 %) and the share (%) that met each cause.</summary>
internal sealed record LatencyTailRow(string Mode, string Slice, int Samples, double FromUs, double MedianUs, double GcClientPct,
    double GcEchoPct, double GcEitherPct, double WakePct, double ContendedPct, double HostCpuWaitMedianPct, double PoolPct, double NonePct, double GcPauseMedianUs,
    double RequestLegMedianUs, double ReplyLegMedianUs, double RequestLongerPct);

/// <summary>A mode's Ask samples split by whether one cause co-occurred: what that cause costs.</summary>
internal sealed record LatencyByCauseRow(string Mode, string Cause, int With, double WithP50Us, double WithP99Us, int Without,
    double WithoutP50Us, double WithoutP99Us, double WithoutP999Us);

/// <summary>A spinning thread's lost time (<see cref="HostJitter"/>): gaps per second, ms lost per second, the longest.</summary>
internal sealed record HostJitterRow(string When, double Seconds, double GapsPerSec, double GapsOver1MsPerSec, double LostMsPerSec,
    double LongestMs, double LoadAverage);

internal sealed record RawStreamRow(string Mode, int FrameSize, long Frames, double Seconds, double MsgsPerSec, double MBPerSec,
    long SenderBackOffs);

internal sealed record RawRttRow(string Mode, string Wait, int Samples, double P50Us, double P90Us, double P99Us, double P999Us, double MaxUs);

internal sealed record MicroRow(int FrameSize, double MeanNs, double StdDevNs, double GBPerSec, long? AllocatedBytesPerOp,
    double Gen0Per1000Ops, double Gen2Per1000Ops);

internal sealed record IdleRow(string Mode, string Process, int Pid, double Seconds, double CpuPercent, double SwitchesPerSec, int Threads,
    double TransportThreadsCpuPercent, double TransportThreadsSwitchesPerSec);

internal sealed record ScaleRow(string Mode, string Variant, int Processes, int Associations, int Streams, double MsgsPerSec,
    double CpuUsPerMsg, double TransportUsPerMsg, double CoresBusy, long ShmBytes, double IdleCpuPercent, double IdleCpuPercentMax,
    double IdleTransportCpuPercent, long Lost, long OutOfOrder, double WakeupsPer1000, double IdleNoJitCpuPercent,
    ReceiverBreakdown? Receiver = null);

/// <summary>
/// A profiled scale run's shm receiver threads (all processes, over the window), per phase in the order of
/// <see cref="ScaleRoles.ProfilePhases"/>: CPU µs per delivered frame, and rounds per 1000 frames.
/// </summary>
/// <param name="HandOffUsPerMsg">The part of deliver spent handing frames to Akka (ByteString copy and Akka's Notify), per frame.</param>
internal sealed record ReceiverBreakdown(double[] UsPerMsg, double[] RoundsPer1000, double HandOffUsPerMsg);

/// <summary>
/// One setup sample on fresh peers. Level "akka": <c>Us</c> = ResolveOne to the first Ask reply, <c>PartUs</c> = the
/// ResolveOne alone. Level "transport": <c>Us</c> = Associate to the first frame's delivery at the other side's
/// listener, <c>PartUs</c> = until Associate's task completed.
/// </summary>
internal sealed record SetupRow(string Mode, string Level, int Sample, double Us, double PartUs);

internal sealed record PartTiming(string Part, double Seconds, bool Succeeded);

/// <summary>Everything one run measured; written as JSON and CSV.</summary>
internal sealed class Report
{
    public string Timestamp { get; init; } = "";
    public Dictionary<string, object?> Environment { get; init; } = new();
    public Dictionary<string, object?> Settings { get; init; } = new();
    public List<E2ERow> E2E { get; } = new();
    public List<LatencyRow> Latency { get; } = new();
    public List<LatencyTailRow> LatencyTail { get; } = new();
    public List<LatencyByCauseRow> LatencyByCause { get; } = new();
    public List<HostJitterRow> HostJitter { get; } = new();
    public List<RawStreamRow> RawStream { get; } = new();
    public List<RawRttRow> RawRoundTrip { get; } = new();
    public List<MicroRow> Micro { get; } = new();
    public List<IdleRow> Idle { get; } = new();
    public List<ScaleRow> Scale { get; } = new();
    public List<SetupRow> Setup { get; } = new();
    public List<PartTiming> Parts { get; } = new();
    public List<string> Failures { get; } = new();
    public List<string> Observations { get; } = new();

    private readonly object _lock = new();

    public void Observe(string text)
    {
        lock (_lock)
        {
            Observations.Add(text);
            Console.WriteLine("  note: " + text);
        }
    }

    public void WriteJson(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));

    /// <summary>One row per measured value: part, mode, parameter, repetition, metric, value, unit.</summary>
    public void WriteCsv(string path)
    {
        var csv = new StringBuilder("part,mode,parameter,repetition,metric,value,unit\n");
        void Row(string part, string mode, string parameter, string repetition, string metric, double value, string unit) =>
            csv.Append(CultureInfo.InvariantCulture, $"{part},{mode},{parameter},{repetition},{metric},{value:R},{unit}\n");

        foreach (var r in E2E)
        {
            string p = $"clients={r.Clients}";
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "msgs_per_sec", r.MsgsPerSec, "msg/s");
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "elapsed", r.ElapsedMs, "ms");
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "round_trips", r.RoundTrips, "count");
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "cpu_per_msg", r.CpuUsPerMsg, "us");
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "transport_threads_cpu_per_msg", r.TransportThreadsUsPerMsg, "us");
            Row("e2e", r.Mode, p, r.Repetition.ToString(CultureInfo.InvariantCulture), "cores_busy", r.CoresBusy, "cores");
        }
        foreach (var r in Latency)
        {
            Row("latency", r.Mode, "payload=64B", r.Repetition, "p50", r.P50Us, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "p90", r.P90Us, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "p99", r.P99Us, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "p99.9", r.P999Us, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "max", r.MaxUs, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "mean", r.MeanUs, "us");
            Row("latency", r.Mode, "payload=64B", r.Repetition, "asks_per_sec", r.AsksPerSec, "ask/s");
        }
        WriteLatencyTailCsv(Row);
        foreach (var r in RawStream)
        {
            string p = $"frame={r.FrameSize}B";
            Row("raw-stream", r.Mode, p, "", "msgs_per_sec", r.MsgsPerSec, "msg/s");
            Row("raw-stream", r.Mode, p, "", "mb_per_sec", r.MBPerSec, "MB/s");
            Row("raw-stream", r.Mode, p, "", "frames", r.Frames, "count");
            Row("raw-stream", r.Mode, p, "", "sender_backoffs", r.SenderBackOffs, "count");
        }
        foreach (var r in RawRoundTrip)
        {
            string p = $"frame=64B;wait={r.Wait}";
            Row("raw-rtt", r.Mode, p, "", "p50", r.P50Us, "us");
            Row("raw-rtt", r.Mode, p, "", "p90", r.P90Us, "us");
            Row("raw-rtt", r.Mode, p, "", "p99", r.P99Us, "us");
            Row("raw-rtt", r.Mode, p, "", "p99.9", r.P999Us, "us");
        }
        foreach (var r in Micro)
        {
            string p = $"frame={r.FrameSize}B";
            Row("micro", "ring", p, "", "mean", r.MeanNs, "ns");
            Row("micro", "ring", p, "", "stddev", r.StdDevNs, "ns");
            Row("micro", "ring", p, "", "throughput", r.GBPerSec, "GB/s");
            Row("micro", "ring", p, "", "gen0_collections_per_1000_ops", r.Gen0Per1000Ops, "count");
            Row("micro", "ring", p, "", "gen2_collections_per_1000_ops", r.Gen2Per1000Ops, "count");
            if (r.AllocatedBytesPerOp is long allocated)
                Row("micro", "ring", p, "", "allocated", allocated, "B/op");
        }
        foreach (var r in Idle)
        {
            string p = $"process={r.Process}";
            Row("idle", r.Mode, p, "", "cpu", r.CpuPercent, "% of one core");
            Row("idle", r.Mode, p, "", "context_switches", r.SwitchesPerSec, "1/s");
            Row("idle", r.Mode, p, "", "threads", r.Threads, "count");
            Row("idle", r.Mode, p, "", "transport_threads_cpu", r.TransportThreadsCpuPercent, "% of one core");
            Row("idle", r.Mode, p, "", "transport_threads_context_switches", r.TransportThreadsSwitchesPerSec, "1/s");
        }
        foreach (var r in Scale)
        {
            string p = $"variant={r.Variant};processes={r.Processes}";
            Row("scale", r.Mode, p, "", "msgs_per_sec", r.MsgsPerSec, "msg/s");
            Row("scale", r.Mode, p, "", "cpu_per_msg", r.CpuUsPerMsg, "us");
            Row("scale", r.Mode, p, "", "transport_threads_cpu_per_msg", r.TransportUsPerMsg, "us");
            Row("scale", r.Mode, p, "", "cores_busy", r.CoresBusy, "cores");
            Row("scale", r.Mode, p, "", "associations", r.Associations, "count");
            Row("scale", r.Mode, p, "", "dev_shm", r.ShmBytes, "B");
            Row("scale", r.Mode, p, "", "idle_cpu_per_process", r.IdleCpuPercent, "% of one core");
            Row("scale", r.Mode, p, "", "idle_transport_cpu_per_process", r.IdleTransportCpuPercent, "% of one core");
            Row("scale", r.Mode, p, "", "idle_cpu_per_process_without_jit", r.IdleNoJitCpuPercent, "% of one core");
            Row("scale", r.Mode, p, "", "lost", r.Lost, "count");
            Row("scale", r.Mode, p, "", "out_of_order", r.OutOfOrder, "count");
            Row("scale", r.Mode, p, "", "receiver_sleeps_and_doorbell_posts_per_1000_msgs", r.WakeupsPer1000, "count");
            for (int i = 0; r.Receiver != null && i < ScaleRoles.ProfilePhases.Length; i++)
            {
                Row("scale", r.Mode, p, "", $"receiver_{ScaleRoles.ProfilePhases[i]}_cpu_per_msg", r.Receiver.UsPerMsg[i], "us");
                Row("scale", r.Mode, p, "", $"receiver_{ScaleRoles.ProfilePhases[i]}_rounds_per_1000_msgs", r.Receiver.RoundsPer1000[i], "count");
            }
            if (r.Receiver != null)
                Row("scale", r.Mode, p, "", "receiver_handoff_to_akka_cpu_per_msg", r.Receiver.HandOffUsPerMsg, "us");
        }
        foreach (var r in Setup)
        {
            string sample = r.Sample.ToString(CultureInfo.InvariantCulture);
            Row("setup", r.Mode, $"level={r.Level}", sample, r.Level == "akka" ? "resolve_to_first_reply" : "associate_to_first_delivery", r.Us, "us");
            Row("setup", r.Mode, $"level={r.Level}", sample, r.Level == "akka" ? "resolve_one" : "associate_call", r.PartUs, "us");
        }
        File.WriteAllText(path, csv.ToString());
    }

    private void WriteLatencyTailCsv(Action<string, string, string, string, string, double, string> row)
    {
        foreach (var r in LatencyTail)
        {
            string p = $"slice={r.Slice}";
            row("latency-tail", r.Mode, p, "all", "samples", r.Samples, "count");
            row("latency-tail", r.Mode, p, "all", "from", r.FromUs, "us");
            row("latency-tail", r.Mode, p, "all", "median", r.MedianUs, "us");
            row("latency-tail", r.Mode, p, "all", "gc_client", r.GcClientPct, "%");
            row("latency-tail", r.Mode, p, "all", "gc_echo", r.GcEchoPct, "%");
            row("latency-tail", r.Mode, p, "all", "gc_either", r.GcEitherPct, "%");
            row("latency-tail", r.Mode, p, "all", "receiver_wakeup", r.WakePct, "%");
            row("latency-tail", r.Mode, p, "all", "host_cpu_contended", r.ContendedPct, "%");
            row("latency-tail", r.Mode, p, "all", "host_cpu_wait_median", r.HostCpuWaitMedianPct, "% of the sample");
            row("latency-tail", r.Mode, p, "all", "thread_pool_change", r.PoolPct, "%");
            row("latency-tail", r.Mode, p, "all", "none", r.NonePct, "%");
            row("latency-tail", r.Mode, p, "all", "request_leg_median", r.RequestLegMedianUs, "us");
            row("latency-tail", r.Mode, p, "all", "reply_leg_median", r.ReplyLegMedianUs, "us");
        }
        foreach (var r in HostJitter)
        {
            string p = $"when={r.When}";
            row("host-jitter", "host", p, "", "gaps_over_200us", r.GapsPerSec, "1/s");
            row("host-jitter", "host", p, "", "gaps_over_1ms", r.GapsOver1MsPerSec, "1/s");
            row("host-jitter", "host", p, "", "lost", r.LostMsPerSec, "ms/s");
            row("host-jitter", "host", p, "", "longest", r.LongestMs, "ms");
        }
        foreach (var r in LatencyByCause)
        {
            string p = $"cause={r.Cause}";
            row("latency-by-cause", r.Mode, p, "all", "samples_with", r.With, "count");
            row("latency-by-cause", r.Mode, p, "all", "p50_with", r.WithP50Us, "us");
            row("latency-by-cause", r.Mode, p, "all", "p99_with", r.WithP99Us, "us");
            row("latency-by-cause", r.Mode, p, "all", "samples_without", r.Without, "count");
            row("latency-by-cause", r.Mode, p, "all", "p50_without", r.WithoutP50Us, "us");
            row("latency-by-cause", r.Mode, p, "all", "p99_without", r.WithoutP99Us, "us");
            row("latency-by-cause", r.Mode, p, "all", "p99.9_without", r.WithoutP999Us, "us");
        }
    }
}

/// <summary>Plain-text tables for the terminal.</summary>
internal static class Table
{
    public static void Print(string title, string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        Console.WriteLine();
        Console.WriteLine(title);
        string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";
        Console.WriteLine(Line(headers));
        Console.WriteLine("|" + string.Join("|", widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")) + "|");
        foreach (var row in all)
            Console.WriteLine(Line(row));
    }

    public static string N0(double v) => double.IsFinite(v) ? v.ToString("N0", CultureInfo.InvariantCulture) : "-";

    public static string F1(double v) => double.IsFinite(v) ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";

    public static string F2(double v) => double.IsFinite(v) ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";

    public static string Size(int bytes) => bytes switch
    {
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KiB",
        _ => $"{bytes} B",
    };
}
