using System.Globalization;
using System.Text.Json;
using Akka.Transport.Ipc.Diagnostics;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// One figure of the metrics part: a raw shm stream (<see cref="Size"/> = frame bytes) or an ipc-shm e2e round
/// (<see cref="Size"/> = clients), with the transport's frame counting <see cref="Variant"/> (see <see cref="MetricsVariant"/>).
/// </summary>
internal sealed record MetricsRow(string Part, string Variant, int Repetition, int Size, double MsgsPerSec, double CpuUsPerMsg);

/// <summary>
/// The metrics part (<c>--only metrics</c>): does counting frames cost anything? The shm raw streams and the ipc-shm
/// e2e runs, each with fresh processes whose frame counting is off (as before metrics existed), on (as shipped), and
/// on with a MeterListener on every instrument, the three variants alternated (rotated per repetition) within one
/// run, then medians side by side with the ratios. Each run checks from the meter's totals in both processes that
/// the variant is what it claims: off counts nothing, on counts at least the frames measured.
/// </summary>
internal sealed partial class Bench
{
    private readonly List<MetricsRow> _metrics = new();

    private async Task RunMetricsAsync()
    {
        var phases = RawPlan("shm").ToArray();
        Console.WriteLine($"Frame counting {string.Join(" / ", MetricsVariant.All)} (listener = a MeterListener on every instrument of {IpcMeter.Name}, " +
            $"collected every {MetricsVariant.CollectInterval.TotalSeconds:F0} s); raw shm streams ({string.Join(", ", phases.Select(p => Table.Size(p.Size)))}) " +
            $"and ipc-shm e2e (clients {string.Join(",", options.ClientCounts)}, {options.RoundTripsPerClient:N0} round trips each); " +
            $"{options.Repetitions} repetition(s), variants alternated, fresh processes each");
        for (int rep = 1; rep <= options.Repetitions; rep++)
            foreach (string variant in Rotated(MetricsVariant.All, rep))
                await RunMetricsRawAsync(variant, rep, phases);
        for (int rep = 1; rep <= options.Repetitions; rep++)
            foreach (string variant in Rotated(MetricsVariant.All, rep))
                await RunMetricsE2EAsync(variant, rep);
        File.WriteAllText(Path.Combine(resultsDirectory, "metrics.json"), JsonSerializer.Serialize(_metrics, new JsonSerializerOptions
        {
            WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        }));
        PrintMetrics();
    }

    private async Task RunMetricsRawAsync(string variant, int rep, RawPhase[] phases)
    {
        string name = $"metrics-raw-{variant}-r{rep}";
        string dir = directories.Create(name);
        string[] common = ["--mode", "shm", "--dir", dir, "--plan", RawPhase.ToPlan(phases), "--metrics", variant];
        await using (var receiver = Child.Start(name + "-receiver", ["--role", "raw-receiver", .. common]))
        {
            var ready = await receiver.ReceiveAsync("ready", StartTimeout);
            await using var sender = Child.Start(name + "-sender", ["--role", "raw-sender", .. common,
                "--address", ready.GetProperty("address").GetString()!, "--rtt-samples", "1000"]);
            await sender.ReceiveAsync("connected", StartTimeout);
            await Child.Guard(CollectAsync(), receiver);

            async Task CollectAsync()
            {
                var line = new List<string>();
                foreach (var _ in phases)
                {
                    var s = await receiver.ReceiveAsync("stream", TimeSpan.FromSeconds(180));
                    await sender.ReceiveAsync("sent", TimeSpan.FromSeconds(180));
                    var row = new MetricsRow("raw", variant, rep, s.GetProperty("size").GetInt32(), s.GetProperty("msgsPerSec").GetDouble(), double.NaN);
                    _metrics.Add(row);
                    line.Add($"{Table.Size(row.Size)}:{Table.N0(row.MsgsPerSec)}");
                }
                for (int i = 0; i < 2; i++)
                    await sender.ReceiveAsync("rtt", TimeSpan.FromSeconds(180)); // not compared here
                Console.WriteLine($"  rep {rep} raw shm  {variant,-8} " + string.Join("  ", line) + " msgs/s");
            }
            await sender.StopAsync(StopTimeout);
            await receiver.StopAsync(StopTimeout);
            ObserveProblems(sender);
            ObserveProblems(receiver);
            await CheckCountingAsync(name, variant, phases.Sum(p => (long)p.Count), sender, receiver);
        }
        CheckLeftovers(name, dir);
    }

    private async Task RunMetricsE2EAsync(string variant, int rep)
    {
        string part = $"metrics-e2e-{variant}";
        var rows = new List<MetricsRow>();
        Child[] pair = [];
        await RunActorPairAsync(part, ActorModes.IpcShm, rep, options.ClientCounts.Max(), new[]
        {
            "--task", "e2e", "--clients", string.Join(',', options.ClientCounts),
            "--round-trips", Inv(options.RoundTripsPerClient), "--in-flight", Inv(options.InFlight),
            "--warmup-round-trips", "1000", "--round-timeout-s", "150", "--metrics", variant,
        }, async (echo, client) =>
        {
            pair = [echo, client];
            for (int i = 0; i < options.ClientCounts.Length; i++)
            {
                var m = await client.ReceiveAsync("e2e", TimeSpan.FromSeconds(180));
                rows.Add(new MetricsRow("e2e", variant, rep, m.GetProperty("clients").GetInt32(), m.GetProperty("msgsPerSec").GetDouble(),
                    m.GetProperty("cpuUsPerMsg").GetDouble()));
            }
            await client.ReceiveAsync("done", TimeSpan.FromSeconds(30));
        }, echoArgs: ["--metrics", variant]);
        // Both have exited: their "counted" messages wait in their channels. Each round trip is a frame each way.
        await CheckCountingAsync(part, variant, options.ClientCounts.Sum(c => (long)c * options.RoundTripsPerClient), pair);
        _metrics.AddRange(rows);
        Console.WriteLine($"  rep {rep} e2e ipc-shm {variant,-8} " + string.Join("  ", rows.Select(r => $"{r.Size}:{Table.N0(r.MsgsPerSec)}")) + " msgs/s");
    }

    /// <summary>
    /// Fails the part unless the frames counted by the two processes (their "counted" message on exit: the meter's
    /// totals) agree with <paramref name="variant"/>: none with counting off, at least <paramref name="atLeast"/>
    /// received with it on. Guards the comparison against a switch that silently does nothing.
    /// </summary>
    private static async Task CheckCountingAsync(string name, string variant, long atLeast, params Child[] children)
    {
        long sent = 0, received = 0;
        foreach (var child in children)
        {
            var counted = await child.ReceiveAsync("counted", TimeSpan.FromSeconds(5));
            sent += counted.GetProperty("sent").GetInt64();
            received += counted.GetProperty("received").GetInt64();
        }
        bool agrees = variant == MetricsVariant.Off ? sent == 0 && received == 0 : received >= atLeast && sent >= atLeast;
        if (!agrees)
            throw new InvalidOperationException($"{name}: frame counting '{variant}', but the processes counted {sent:N0} frames sent and " +
                $"{received:N0} received (expected " + (variant == MetricsVariant.Off ? "none" : $"at least {atLeast:N0} each way") + ")");
    }

    private static IEnumerable<string> Rotated(string[] items, int rep) =>
        Enumerable.Range(0, items.Length).Select(i => items[(i + rep - 1) % items.Length]);

    public void PrintMetrics()
    {
        if (_metrics.Count == 0)
            return;
        double Median(string part, string variant, int size, Func<MetricsRow, double> value) =>
            Stats.Median(_metrics.Where(r => r.Part == part && r.Variant == variant && r.Size == size).Select(value));
        var rows = new List<string[]>();
        foreach (var (part, label, unit) in new[] { ("raw", "raw shm {0}", "msgs/s"), ("e2e", "e2e ipc-shm, {0} client(s)", "msgs/s") })
        {
            foreach (int size in _metrics.Where(r => r.Part == part).Select(r => r.Size).Distinct().Order())
            {
                string what = string.Format(CultureInfo.InvariantCulture, label, part == "raw" ? Table.Size(size) : size.ToString(CultureInfo.InvariantCulture));
                rows.Add(Row(what, unit, r => r.MsgsPerSec, Table.N0));
                if (part == "e2e")
                    rows.Add(Row(what, "CPU us/msg", r => r.CpuUsPerMsg, Table.F2));

                string[] Row(string what, string unit, Func<MetricsRow, double> value, Func<double, string> format)
                {
                    double off = Median(part, MetricsVariant.Off, size, value);
                    double on = Median(part, MetricsVariant.On, size, value);
                    double listener = Median(part, MetricsVariant.Listener, size, value);
                    return new[] { what, unit, format(off), format(on), format(listener), Stats.Ratio(on, off), Stats.Ratio(listener, off) };
                }
            }
        }
        int reps = _metrics.Select(r => r.Repetition).Distinct().Count();
        Table.Print($"Metrics: frame counting off (as before metrics) / on (as shipped) / on + MeterListener on every instrument " +
            $"(median of {reps} repetition(s), variants alternated in this run; on a shared 2-core machine runs differ by more than 5 %)",
            new[] { "measure", "unit", "off", "on", "on + listener", "on/off", "listener/off" }, rows);
    }
}
