using System.Diagnostics;
using System.Globalization;
using Akka.Transport.Ipc.Benchmarks;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

if (ChildArgs.IsChild(args))
    return await ChildMain.RunAsync(args);

Options options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(Options.Usage);
        return 0;
    }
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
return await Orchestrator.RunAsync(options);

/// <summary>The entry point of child processes (<c>--role ...</c>).</summary>
internal static class ChildMain
{
    public static async Task<int> RunAsync(string[] args)
    {
        var childArgs = new ChildArgs(args);
        Parent.Watch(orphanGrace: TimeSpan.FromSeconds(10));
        try
        {
            MetricsVariant.Apply(childArgs.Get("metrics", MetricsVariant.On));
            int exit = childArgs.Role switch
            {
                "echo" => await ActorRoles.RunEchoAsync(childArgs),
                "client" => await ActorRoles.RunClientAsync(childArgs),
                "raw-receiver" => await RawRoles.RunReceiverAsync(childArgs),
                "raw-sender" => await RawRoles.RunSenderAsync(childArgs),
                "mesh" => await ScaleRoles.RunAsync(childArgs),
                "setup-server" => await SetupRoles.RunServerAsync(childArgs),
                "setup-client" => await SetupRoles.RunClientAsync(childArgs),
                _ => throw new ArgumentException($"Unknown role {childArgs.Role}"),
            };
            if (MetricsVariant.Measurements is { } measurements)
                Console.WriteLine($"metrics listener: {measurements} measurements received");
            var (sent, received) = MetricsVariant.CountedFrames();
            Parent.Send("counted", new { sent, received }); // the metrics part checks its variant with it; others ignore it
            return exit;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            Parent.Send("error", new { message = $"{e.GetType().Name}: {e.Message}" });
            return 1;
        }
    }
}

internal static class Orchestrator
{
    public static async Task<int> RunAsync(Options options)
    {
        var started = DateTime.Now;
        string timestamp = started.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string resultsDirectory = options.OutputDirectory ?? Path.Combine(FindResultsRoot(), timestamp);
        Directory.CreateDirectory(resultsDirectory);
        string logs = Path.Combine(resultsDirectory, "logs");
        Directory.CreateDirectory(logs);
        Child.SetLogDirectory(logs);

        using var directories = new IpcDirectories();
        Child.InstallExitHandlers(directories.Dispose);

        var report = new Report
        {
            Timestamp = started.ToString("o", CultureInfo.InvariantCulture),
            Environment =
            {
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["processorCount"] = Environment.ProcessorCount,
                ["cpu"] = CpuModel(),
                ["loadAverageAtStart"] = LoadAverage(),
                ["akka"] = typeof(Akka.Actor.ActorSystem).Assembly.GetName().Version?.ToString(),
                ["serverGc"] = System.Runtime.GCSettings.IsServerGC,
#if DEBUG
                ["build"] = "Debug (figures are not representative)",
#else
                ["build"] = "Release",
#endif
            },
            Settings =
            {
                ["quick"] = options.Quick,
                ["parts"] = options.Only,
                ["modes"] = options.Modes,
                ["repetitions"] = options.Repetitions,
                ["roundTripsPerClient"] = options.RoundTripsPerClient,
                ["clientCounts"] = options.ClientCounts,
                ["inFlightPerClient"] = options.InFlight,
                ["latencySamples"] = options.LatencySamples,
                ["latencyWarmup"] = options.LatencyWarmup,
                ["idleSeconds"] = options.IdleSeconds,
                ["ipcRingSize"] = "default (ipc.conf)",
                ["rawShmRingSizes"] = options.RingSizes,
                ["scaleProcesses"] = options.ScaleProcesses,
                ["ipcMaximumFrameSize"] = "128000b",
            },
        };

        if (options.Quick)
            Environment.SetEnvironmentVariable(JitWarmup.QuickVariable, "1"); // children inherit it
        Console.WriteLine($"Akka.Transport.Ipc benchmarks{(options.Quick ? " (--quick)" : "")}: {string.Join(", ", options.Only)}");
        Console.WriteLine($"  {Environment.ProcessorCount} cores, {report.Environment["cpu"]}, load average {report.Environment["loadAverageAtStart"]}");
        Console.WriteLine($"  results: {resultsDirectory}");
        Console.WriteLine($"  IPC directories under {directories.Root}");
#if DEBUG
        Console.WriteLine("  WARNING: Debug build; run with -c Release for meaningful figures (the micro part refuses Debug builds).");
#endif
        var bench = new Bench(options, report, directories, resultsDirectory);
        foreach (var part in options.Only)
        {
            Console.WriteLine();
            Console.WriteLine($"== {part} ==");
            var watch = Stopwatch.StartNew();
            bool ok = false;
            try
            {
                await bench.RunPartAsync(part);
                ok = true;
            }
            catch (Exception e)
            {
                report.Failures.Add($"{part}: {e.Message}");
                Console.ForegroundColor = ConsoleColor.Red;
                Console.WriteLine($"  FAILED: {e.GetType().Name}: {e.Message}");
                Console.ResetColor();
                Console.Error.WriteLine(e.StackTrace);
                Child.KillAll();
            }
            report.Parts.Add(new PartTiming(part, watch.Elapsed.TotalSeconds, ok));
            Console.WriteLine($"  ({part}: {watch.Elapsed.TotalSeconds:F1} s)");
        }
        report.Environment["loadAverageAtEnd"] = LoadAverage();

        // Everything in one place at the end.
        Console.WriteLine();
        Console.WriteLine("== summary ==");
        bench.PrintE2E();
        bench.PrintLatency();
        bench.PrintHybrid();
        bench.PrintRaw();
        bench.PrintMetrics();
        bench.PrintMicro();
        bench.PrintIdle();
        bench.PrintScale();
        bench.PrintSetup();

        try
        {
            report.WriteJson(Path.Combine(resultsDirectory, "results.json"));
            report.WriteCsv(Path.Combine(resultsDirectory, "results.csv"));
            if (report.E2E.Count > 0)
                Chart.WriteE2E(report, Path.Combine(resultsDirectory, "e2e-throughput.png"));
            if (report.Scale.Count > 0)
                Chart.WriteScale(report, Path.Combine(resultsDirectory, "scale.png"));
        }
        catch (Exception e)
        {
            report.Failures.Add($"output: {e.GetType().Name}: {e.Message}");
        }

        Console.WriteLine();
        if (report.Observations.Count > 0)
        {
            Console.WriteLine("Observations:");
            foreach (var note in report.Observations)
                Console.WriteLine("  - " + note);
        }
        Console.WriteLine($"Load average at start {report.Environment["loadAverageAtStart"]}, at end {report.Environment["loadAverageAtEnd"]} " +
            $"({Environment.ProcessorCount} cores): other work on this machine makes the figures noisy.");
        Console.WriteLine($"Results: {resultsDirectory} (results.json, results.csv{(report.E2E.Count > 0 ? ", e2e-throughput.png" : "")}{(report.Scale.Count > 0 ? ", scale.png" : "")}, logs/)");
        Console.WriteLine($"Total time: {(DateTime.Now - started).TotalSeconds:F0} s");
        if (report.Failures.Count > 0)
        {
            Console.ForegroundColor = ConsoleColor.Red;
            Console.WriteLine($"{report.Failures.Count} failure(s):");
            foreach (var failure in report.Failures)
                Console.WriteLine("  - " + failure);
            Console.ResetColor();
            return 1;
        }
        return 0;
    }

    /// <summary>bench/results in the repository (found from the build output), else ./bench-results.</summary>
    private static string FindResultsRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Akka.Transport.Ipc.sln")))
                return Path.Combine(dir.FullName, "bench", "results");
        return Path.Combine(Directory.GetCurrentDirectory(), "bench-results");
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "?"; }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                ?.Split(':', 2)[1].Trim() ?? "?";
        }
        catch (IOException) { return "?"; }
    }
}
