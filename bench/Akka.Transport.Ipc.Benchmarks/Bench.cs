using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>The orchestrating process: runs each part with fresh child processes and collects the results.</summary>
internal sealed partial class Bench(Options options, Report report, IpcDirectories directories, string resultsDirectory)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    public async Task RunPartAsync(string part)
    {
        switch (part)
        {
            case Parts.E2E: await RunE2EAsync(); break;
            case Parts.Latency: await RunLatencyAsync(); break;
            case Parts.Raw: await RunRawAsync(); break;
            case Parts.Micro: RunMicro(); break;
            case Parts.Idle: await RunIdleAsync(); break;
            case Parts.Metrics: await RunMetricsAsync(); break;
            case Parts.Scale: await RunScaleAsync(); break;
            case Parts.Setup: await RunSetupAsync(); break;
            default: throw new ArgumentException(part);
        }
    }

    // ---------------------------------------------------------------- e2e

    private async Task RunE2EAsync()
    {
        int maxClients = options.ClientCounts.Max();
        const int warmupRoundTrips = 1_000; // per client and warm-up round; rounds repeat until the JIT is quiet
        Console.WriteLine($"RemotePingPong shape: clients {string.Join(",", options.ClientCounts)}, {options.InFlight} in flight each, " +
            $"{options.RoundTripsPerClient:N0} round trips per client, {options.Repetitions} repetition(s), fresh processes per mode and repetition, " +
            $"each warmed up (5 clients x {warmupRoundTrips:N0} round trips, {JitWarmup.Describe})");
        for (int rep = 1; rep <= options.Repetitions; rep++)
        {
            foreach (string mode in RotatedModes(rep))
            {
                var rows = new List<E2ERow>();
                await RunActorPairAsync("e2e", mode, rep, maxClients, new[]
                {
                    "--task", "e2e", "--clients", string.Join(',', options.ClientCounts),
                    "--round-trips", Inv(options.RoundTripsPerClient), "--in-flight", Inv(options.InFlight),
                    "--warmup-round-trips", Inv(warmupRoundTrips), "--round-timeout-s", "150",
                }, async (_, client) =>
                {
                    for (int i = 0; i < options.ClientCounts.Length; i++)
                    {
                        var m = await client.ReceiveAsync("e2e", TimeSpan.FromSeconds(180));
                        rows.Add(new E2ERow(mode, rep, m.GetProperty("clients").GetInt32(), m.GetProperty("roundTrips").GetInt64(),
                            m.GetProperty("elapsedMs").GetDouble(), m.GetProperty("msgsPerSec").GetDouble(),
                            m.GetProperty("cpuUsPerMsg").GetDouble(), m.GetProperty("transportThreadsUsPerMsg").GetDouble(),
                            m.GetProperty("coresBusy").GetDouble()));
                    }
                    await client.ReceiveAsync("done", TimeSpan.FromSeconds(30));
                });
                report.E2E.AddRange(rows);
                Console.WriteLine($"  rep {rep} {mode,-8} " + string.Join("  ", rows.Select(r => $"{r.Clients}:{Table.N0(r.MsgsPerSec)}")) + " msgs/s");
            }
        }
        PrintE2E();
    }

    public void PrintE2E()
    {
        if (report.E2E.Count == 0)
            return;
        var modes = ActorModes.Known.Where(m => report.E2E.Any(r => r.Mode == m)).ToArray();
        double Median(string mode, int clients) => E2EMedian(mode, clients);
        // Each mode against its baseline: IPC against tcp, hybrid-local against ipc-shm, hybrid-remote against tcp.
        var compared = modes.Where(m => ActorModes.Baseline(m) is { } b && modes.Contains(b)).ToArray();
        var headers = new List<string> { "clients" };
        headers.AddRange(modes.Select(m => m + " msgs/s"));
        headers.AddRange(compared.Select(m => m + "/" + ActorModes.Baseline(m)));
        var rows = report.E2E.Select(r => r.Clients).Distinct().OrderBy(c => c).Select(clients =>
        {
            var row = new List<string> { clients.ToString(CultureInfo.InvariantCulture) };
            row.AddRange(modes.Select(m => Table.N0(Median(m, clients))));
            row.AddRange(compared.Select(m => Stats.Ratio(Median(m, clients), Median(ActorModes.Baseline(m)!, clients))));
            return row.ToArray();
        });
        int reps = report.E2E.Select(r => r.Repetition).Distinct().Count();
        Table.Print($"E2E throughput (RemotePingPong shape, msgs/s = 2 x round trips / s, median of {reps} repetition(s))", headers.ToArray(), rows);

        // Where the CPU goes: if Akka's own work per message costs C us across both processes, no transport can
        // move more than cores / C messages per second.
        double MedianOf(string mode, int clients, Func<E2ERow, double> f) => Stats.Median(report.E2E.Where(r => r.Mode == mode && r.Clients == clients).Select(f));
        var cpuHeaders = new List<string> { "clients" };
        foreach (var m in modes)
            cpuHeaders.AddRange(m == ActorModes.Tcp ? new[] { m + " us/msg", m + " cores" } : new[] { m + " us/msg", m + " cores", m + " ipc-* threads us/msg" });
        Table.Print($"E2E CPU per message: both processes' CPU time during the round / messages (median; 'cores' = CPU seconds per second, " +
            $"{Environment.ProcessorCount} available; 'ipc-* threads' = the transport's own threads, a lower bound of its share)", cpuHeaders.ToArray(),
            report.E2E.Select(r => r.Clients).Distinct().OrderBy(c => c).Select(clients =>
            {
                var row = new List<string> { clients.ToString(CultureInfo.InvariantCulture) };
                foreach (var m in modes)
                {
                    row.Add(Table.F2(MedianOf(m, clients, r => r.CpuUsPerMsg)));
                    row.Add(Table.F2(MedianOf(m, clients, r => r.CoresBusy)));
                    if (m != ActorModes.Tcp)
                        row.Add(Table.F2(MedianOf(m, clients, r => r.TransportThreadsUsPerMsg)));
                }
                return row.ToArray();
            }));
    }

    // ---------------------------------------------------------------- latency

    private async Task RunLatencyAsync()
    {
        Console.WriteLine($"Ask round trip, one in flight, 64 B byte[] payload: warm-up rounds of {options.LatencyWarmup:N0} asks {JitWarmup.Describe}, then {options.LatencySamples:N0} samples " +
            $"per repetition, {options.Repetitions} repetition(s)");
        var pooled = new Dictionary<string, List<double>>();
        MeasureHostJitter("before");
        for (int rep = 1; rep <= options.Repetitions; rep++)
        {
            foreach (string mode in RotatedModes(rep))
            {
                double[] samples = Array.Empty<double>();
                double elapsedMs = 0;
                await RunActorPairAsync("latency", mode, rep, 1, new[]
                {
                    "--task", "latency", "--warmup", Inv(options.LatencyWarmup), "--samples", Inv(options.LatencySamples),
                }, async (echo, client) =>
                {
                    var m = await client.ReceiveAsync("latency", TimeSpan.FromSeconds(300));
                    samples = m.GetProperty("samples").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                    elapsedMs = m.GetProperty("elapsedMs").GetDouble();
                    await CollectTailAsync(mode, echo, m);
                    await client.ReceiveAsync("done", TimeSpan.FromSeconds(30));
                }, echoArgs: TailEchoArgs());
                var row = LatencyOf(mode, rep.ToString(CultureInfo.InvariantCulture), samples, samples.Length / (elapsedMs / 1000));
                report.Latency.Add(row);
                (pooled.TryGetValue(mode, out var list) ? list : pooled[mode] = new List<double>()).AddRange(samples);
                Console.WriteLine($"  rep {rep} {mode,-8} p50 {Table.F1(row.P50Us)} us  p99 {Table.F1(row.P99Us)} us  ({Table.N0(row.AsksPerSec)} asks/s)");
            }
        }
        foreach (var (mode, samples) in pooled)
        {
            var reps = report.Latency.Where(r => r.Mode == mode && r.Repetition != "all").ToList();
            report.Latency.Add(LatencyOf(mode, "all", samples.ToArray(), Stats.Median(reps.Select(r => r.AsksPerSec))));
        }
        MeasureHostJitter("after");
        SummarizeTail();
        PrintLatency();
        PrintHybrid();
    }

    private static LatencyRow LatencyOf(string mode, string repetition, double[] samples, double asksPerSec)
    {
        var sorted = samples.OrderBy(v => v).ToArray();
        return new LatencyRow(mode, repetition, sorted.Length, sorted.Length == 0 ? double.NaN : sorted.Average(),
            Stats.Percentile(sorted, 0.5), Stats.Percentile(sorted, 0.9), Stats.Percentile(sorted, 0.99),
            Stats.Percentile(sorted, 0.999), sorted.Length == 0 ? double.NaN : sorted[^1], asksPerSec);
    }

    public void PrintLatency()
    {
        var all = report.Latency.Where(r => r.Repetition == "all").ToList();
        if (all.Count == 0)
            return;
        var tcp = all.FirstOrDefault(r => r.Mode == ActorModes.Tcp);
        // Hybrid modes also against the path they take: hybrid-local vs ipc-shm, hybrid-remote vs tcp.
        string VsBaseline(LatencyRow r, Func<LatencyRow, double> f) =>
            ActorModes.IsHybrid(r.Mode) && all.FirstOrDefault(b => b.Mode == ActorModes.Baseline(r.Mode)) is { } b
                ? $"{Stats.Ratio(f(r), f(b))} ({b.Mode})" : "-";
        Table.Print("Latency: Ask round trip, one message in flight (all repetitions' samples pooled; us)",
            new[] { "mode", "samples", "p50", "p90", "p99", "p99.9", "max", "asks/s", "p50 vs tcp", "p99 vs tcp", "p50 vs baseline", "p99 vs baseline" },
            all.OrderBy(r => Array.IndexOf(ActorModes.Known, r.Mode)).Select(r => new[]
            {
                r.Mode, Table.N0(r.Samples), Table.F1(r.P50Us), Table.F1(r.P90Us), Table.F1(r.P99Us), Table.F1(r.P999Us),
                Table.F1(r.MaxUs), Table.N0(r.AsksPerSec),
                tcp == null ? "-" : Stats.Ratio(r.P50Us, tcp.P50Us), tcp == null ? "-" : Stats.Ratio(r.P99Us, tcp.P99Us),
                VsBaseline(r, x => x.P50Us), VsBaseline(r, x => x.P99Us),
            }));
        PrintLatencyTail();
    }

    // ---------------------------------------------------------------- raw

    private async Task RunRawAsync()
    {
        int rttSamples = options.Quick ? 3_000 : 20_000;
        Console.WriteLine("IpcTransport SPI directly, no actors; two processes; sender writes as fast as Write returns true, receiver times; " +
            "each phase warmed up in rounds " + JitWarmup.Describe);
        foreach (var (mode, ringSize) in RawRuns())
        {
            string label = ringSize == 0 ? mode : $"{mode} {Table.Size(ringSize)}";
            string name = ringSize == 0 ? $"raw-{mode}" : $"raw-{mode}-{ringSize}";
            string dir = directories.Create(name);
            string plan = RawPhase.ToPlan(RawPlan(mode));
            string[] ring = ["--ring-size", Inv(ringSize)];
            await using (var receiver = Child.Start(name + "-receiver", ["--role", "raw-receiver", "--mode", mode, "--dir", dir, "--plan", plan, .. ring]))
            {
                var ready = await receiver.ReceiveAsync("ready", StartTimeout);
                await using var sender = Child.Start(name + "-sender", ["--role", "raw-sender", "--mode", mode, "--dir", dir, "--plan", plan,
                    "--address", ready.GetProperty("address").GetString()!, "--rtt-samples", Inv(rttSamples), .. ring]);
                await sender.ReceiveAsync("connected", StartTimeout);
                await Child.Guard(CollectRawAsync(), receiver);

                async Task CollectRawAsync()
                {
                    foreach (var phase in RawPlan(mode))
                    {
                        var s = await receiver.ReceiveAsync("stream", TimeSpan.FromSeconds(180));
                        var sent = await sender.ReceiveAsync("sent", TimeSpan.FromSeconds(180));
                        var row = new RawStreamRow(label, s.GetProperty("size").GetInt32(), s.GetProperty("frames").GetInt64(),
                            s.GetProperty("seconds").GetDouble(), s.GetProperty("msgsPerSec").GetDouble(), s.GetProperty("mbPerSec").GetDouble(),
                            sent.GetProperty("backOffs").GetInt64());
                        report.RawStream.Add(row);
                        Console.WriteLine($"  {label,-4} {Table.Size(row.FrameSize),7}: {Table.N0(row.MsgsPerSec)} msgs/s, {Table.N0(row.MBPerSec)} MB/s" +
                            (row.SenderBackOffs > 0 ? $" (sender backed off {row.SenderBackOffs:N0} times)" : ""));
                    }
                    for (int i = 0; i < 2; i++)
                    {
                        var r = await sender.ReceiveAsync("rtt", TimeSpan.FromSeconds(180));
                        var row = new RawRttRow(label, r.GetProperty("wait").GetString()!, r.GetProperty("samples").GetInt32(),
                            r.GetProperty("p50").GetDouble(), r.GetProperty("p90").GetDouble(), r.GetProperty("p99").GetDouble(),
                            r.GetProperty("p999").GetDouble(), r.GetProperty("max").GetDouble());
                        report.RawRoundTrip.Add(row);
                        Console.WriteLine($"  {label,-4} round trip ({row.Wait}): p50 {Table.F1(row.P50Us)} us, p99 {Table.F1(row.P99Us)} us");
                    }
                }
                await sender.StopAsync(StopTimeout);
                await receiver.StopAsync(StopTimeout);
                ObserveProblems(sender);
                ObserveProblems(receiver);
            }
            CheckLeftovers(name, dir);
        }
        PrintRaw();
    }

    /// <summary>shm at each --ring-sizes value (or the default once), then fifo; ring size 0 = the default.</summary>
    private IEnumerable<(string Mode, int RingSize)> RawRuns() =>
        Options.RawModes.SelectMany(mode => mode == "shm" && options.RingSizes.Count > 0
            ? options.RingSizes.Select(size => (mode, size))
            : [(mode, 0)]);

    /// <summary>
    /// Phases sized to last about a second each at steady state (fifo moves ~10x fewer small frames than shm);
    /// --quick divides by ten.
    /// </summary>
    private IEnumerable<RawPhase> RawPlan(string mode)
    {
        int scale = options.Quick ? 10 : 1;
        return mode == "shm"
            ? new[] { new RawPhase(64, 500_000, 20_000_000 / scale), new RawPhase(1024, 200_000, 5_000_000 / scale), new RawPhase(64 * 1024, 5_000, 100_000 / scale) }
            : new[] { new RawPhase(64, 100_000, 2_000_000 / scale), new RawPhase(1024, 50_000, 1_000_000 / scale), new RawPhase(64 * 1024, 2_000, 20_000 / scale) };
    }

    public void PrintRaw()
    {
        if (report.RawStream.Count > 0)
        {
            Table.Print("Raw transport, one-way stream (measured at the receiver)",
                new[] { "mode", "frame", "frames", "msgs/s", "MB/s", "sender back-offs" },
                report.RawStream.Select(r => new[]
                {
                    r.Mode, Table.Size(r.FrameSize), Table.N0(r.Frames), Table.N0(r.MsgsPerSec), Table.N0(r.MBPerSec), Table.N0(r.SenderBackOffs),
                }));
            var sizes = report.RawStream.Select(r => r.FrameSize).Distinct();
            Table.Print("Raw transport, shm vs fifo (msgs/s)", new[] { "frame", "shm", "fifo", "shm/fifo" }, sizes.Select(size =>
            {
                double shm = report.RawStream.FirstOrDefault(r => r.Mode == "shm" && r.FrameSize == size)?.MsgsPerSec ?? double.NaN;
                double fifo = report.RawStream.FirstOrDefault(r => r.Mode == "fifo" && r.FrameSize == size)?.MsgsPerSec ?? double.NaN;
                return new[] { Table.Size(size), Table.N0(shm), Table.N0(fifo), Stats.Ratio(shm, fifo) };
            }));
        }
        PrintRawByRingSize();
        if (report.RawRoundTrip.Count > 0)
        {
            Table.Print("Raw transport, round trip of one 64 B frame (us). Transport threads spin/yield/block as built " +
                "(8 spins + 2 yields, then block; no knob); 'wait' = how the pinging thread waits for the echo",
                new[] { "mode", "wait", "samples", "p50", "p90", "p99", "p99.9", "max" },
                report.RawRoundTrip.Select(r => new[]
                {
                    r.Mode, r.Wait, Table.N0(r.Samples), Table.F1(r.P50Us), Table.F1(r.P90Us), Table.F1(r.P99Us), Table.F1(r.P999Us), Table.F1(r.MaxUs),
                }));
        }
    }

    // ---------------------------------------------------------------- micro

    private void RunMicro()
    {
        string artifacts = Path.Combine(resultsDirectory, "micro");
        Directory.CreateDirectory(artifacts);
        var job = options.Quick
            ? Job.ShortRun.WithIterationTime(TimeInterval.FromMilliseconds(100)).WithId("short")
            : Job.Default.WithWarmupCount(5).WithIterationCount(12).WithIterationTime(TimeInterval.FromMilliseconds(200)).WithId("default");
        job = job.WithToolchain(InProcessEmitToolchain.Instance);
        string logPath = Path.Combine(artifacts, "benchmarkdotnet.log");
        using var logger = new StreamLogger(logPath);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(logger)
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.JoinSummary);
        Console.WriteLine($"BenchmarkDotNet, in-process toolchain, {(options.Quick ? "short" : "default-ish")} job (log: {Path.GetRelativePath(resultsDirectory, logPath)})");
        var summary = BenchmarkRunner.Run<RingBenchmarks>(config);
        if (summary.HasCriticalValidationErrors)
            throw new InvalidOperationException("BenchmarkDotNet validation failed: " +
                string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
        foreach (var r in summary.Reports.OrderBy(r => (int)r.BenchmarkCase.Parameters["FrameSize"]))
        {
            int size = (int)r.BenchmarkCase.Parameters["FrameSize"];
            if (!r.Success || r.ResultStatistics == null)
                throw new InvalidOperationException($"Micro benchmark for {size} B frames failed (see {logPath})");
            double mean = r.ResultStatistics.Mean;
            long? allocated = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase);
            double perThousand(int collections) => r.GcStats.TotalOperations > 0 ? 1000.0 * collections / r.GcStats.TotalOperations : double.NaN;
            report.Micro.Add(new MicroRow(size, mean, r.ResultStatistics.StandardDeviation, size / mean, allocated,
                perThousand(r.GcStats.Gen0Collections), perThousand(r.GcStats.Gen2Collections)));
        }
        foreach (var row in report.Micro.Where(r => r.FrameSize <= 128 * 1024 && r.AllocatedBytesPerOp is > 0))
            report.Observe($"ring write+read of a whole {row.FrameSize} B frame allocated {row.AllocatedBytesPerOp} B/op (expected 0)");
        foreach (var row in report.Micro.Where(r => r.FrameSize > 128 * 1024))
            report.Observe($"micro: a fragmented {row.FrameSize} B frame allocates {row.AllocatedBytesPerOp:N0} B/op (RingReader reassembles into " +
                $"a new byte[frame length] per frame; over 85,000 B that is a large-object-heap array) with {Table.F1(row.Gen2Per1000Ops)} gen-2 GCs " +
                $"per 1000 ops, {Table.F1(row.MeanNs / 1000)} us/op, against {Table.F1(report.Micro.Where(m => m.FrameSize <= 16 * 1024).Select(m => m.MeanNs).DefaultIfEmpty(double.NaN).Max())} ns for 16 KiB whole");
        PrintMicro();
    }

    public void PrintMicro()
    {
        if (report.Micro.Count == 0)
            return;
        Table.Print("Micro: ring write + read of one frame per op (1 MiB ring; 200 KiB is fragmented: BEGIN + END)",
            new[] { "frame", "mean ns/op", "stddev ns", "GB/s", "allocated B/op", "gen0/1k ops", "gen2/1k ops" },
            report.Micro.Select(r => new[]
            {
                Table.Size(r.FrameSize), Table.F1(r.MeanNs), Table.F1(r.StdDevNs), Table.F2(r.GBPerSec),
                r.AllocatedBytesPerOp?.ToString("N0", CultureInfo.InvariantCulture) ?? "?", Table.F2(r.Gen0Per1000Ops), Table.F2(r.Gen2Per1000Ops),
            }));
    }

    // ---------------------------------------------------------------- idle

    /// <summary>
    /// Idle runs: every mode with Akka's defaults, and ipc-shm and tcp again with a 100 ms scheduler tick. Akka's
    /// scheduler ticks every 10 ms once remoting has periodic tasks (heartbeats), and each tick wakes the .NET
    /// timer and thread pool: that, not the transport, is most of an idle remoting process's CPU.
    /// </summary>
    private static readonly (string Label, string Mode, int TickMs)[] IdleRuns =
    {
        ("ipc-shm", "ipc-shm", 0), ("ipc-fifo", "ipc-fifo", 0), ("tcp", "tcp", 0),
        ("ipc-shm, tick 100ms", "ipc-shm", 100), ("tcp, tick 100ms", "tcp", 100),
    };

    /// <summary>Wait between the last warm-up ask and the start of the idle measurement.</summary>
    private TimeSpan IdleSettle => TimeSpan.FromSeconds(options.Quick ? 2 : 5);

    private async Task RunIdleAsync()
    {
        Console.WriteLine($"Two connected, idle ActorSystems per run for {options.IdleSeconds} s after {IdleSettle.TotalSeconds:F0} s of settling, all runs at once (idle processes barely compete): " +
            "CPU from /proc/<pid>/stat; 'tick 100ms' = akka.scheduler.tick-duration = 100ms instead of Akka's 10 ms");
        async Task One((string Label, string Mode, int TickMs) run)
        {
            var tick = new[] { "--scheduler-tick-ms", Inv(run.TickMs) };
            await RunActorPairAsync(run.TickMs > 0 ? $"idle-tick{run.TickMs}" : "idle", run.Mode, 1, 1, tick.Concat(new[] { "--task", "idle" }).ToArray(), async (echo, client) =>
            {
                await client.ReceiveAsync("idle-ready", StartTimeout);
                await Task.Delay(IdleSettle); // tier-1 JIT and the warm-up asks' aftermath settle first
                var before = new[] { ProcSample.Read(echo.Pid), ProcSample.Read(client.Pid) };
                await Task.Delay(TimeSpan.FromSeconds(options.IdleSeconds));
                var after = new[] { ProcSample.Read(echo.Pid), ProcSample.Read(client.Pid) };
                var children = new[] { echo, client };
                for (int i = 0; i < 2; i++)
                {
                    var row = new IdleRow(run.Label, i == 0 ? "B (echo)" : "A (client)", children[i].Pid, ProcSample.Seconds(before[i], after[i]),
                        ProcSample.CpuPercent(before[i], after[i]), ProcSample.SwitchesPerSecond(before[i], after[i]), after[i].Threads,
                        run.Mode == "tcp" ? double.NaN : ProcSample.TransportCpuPercent(before[i], after[i]),
                        run.Mode == "tcp" ? double.NaN : ProcSample.TransportSwitchesPerSecond(before[i], after[i]));
                    lock (report)
                        report.Idle.Add(row);
                }
            }, echoArgs: tick);
        }
        await Task.WhenAll(IdleRuns.Select(One));
        PrintIdle();
    }

    public void PrintIdle()
    {
        if (report.Idle.Count == 0)
            return;
        Table.Print("Idle cost: two connected, idle processes (CPU % of one core; context switches summed over threads; " +
            "'ipc-*' = the transport's own threads)",
            new[] { "mode", "process", "seconds", "CPU %", "ctx switches/s", "threads", "ipc-* CPU %", "ipc-* switches/s" },
            report.Idle.OrderBy(r => Array.FindIndex(IdleRuns, run => run.Label == r.Mode)).ThenBy(r => r.Process).Select(r => new[]
            {
                r.Mode, r.Process, Table.F1(r.Seconds), Table.F2(r.CpuPercent), Table.N0(r.SwitchesPerSec), r.Threads.ToString(CultureInfo.InvariantCulture),
                Table.F2(r.TransportThreadsCpuPercent), Table.F1(r.TransportThreadsSwitchesPerSec),
            }));
    }
}
