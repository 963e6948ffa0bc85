using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Akka.Configuration;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>ActorSystem configuration per mode: the only thing that differs between IPC and TCP.</summary>
internal static class Hocon
{
    private const string Common = """
        akka.actor.provider = remote
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.remote.log-remote-lifecycle-events = off
        """;

    /// <param name="mode">One of <see cref="ActorModes.Known"/>.</param>
    /// <param name="directory">The IPC directory (ignored for tcp). For the hybrid modes it decides locality: nodes
    /// sharing it take the shared-memory shortcut, the others dot-netty.</param>
    /// <param name="schedulerTickMs">akka.scheduler.tick-duration, or 0 for Akka's default (10 ms).</param>
    public static Config For(string mode, string directory, int schedulerTickMs = 0) => ConfigurationFactory.ParseString(
        (schedulerTickMs > 0 ? $"akka.scheduler.tick-duration = {schedulerTickMs}ms\n" : "") + (mode switch
    {
        "tcp" => Common + """

            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            """,
        "ipc-shm" or "ipc-fifo" or ActorModes.IpcShmPolling or ActorModes.IpcShmProfiled => Common + $$"""

            akka.remote {
              enabled-transports = ["akka.remote.ipc"]
              ipc {
                transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
                port = 0
                mode = {{(mode == "ipc-fifo" ? "fifo" : "shm")}}
                directory = "{{directory}}"
                maximum-frame-size = 128000b
                {{(mode == ActorModes.IpcShmPolling ? "receiver-poll-time = " + ActorModes.PollTime : "")}}
                {{(mode == ActorModes.IpcShmProfiled ? "receiver-profile = on" : "")}}
              }
            }
            """,
        ActorModes.HybridLocal or ActorModes.HybridRemote => Common + $$"""

            akka.remote {
              enabled-transports = ["akka.remote.ipc"]
              ipc {
                transport-class = "Akka.Transport.Ipc.IpcTransport, Akka.Transport.Ipc"
                network-transport = "akka.remote.dot-netty.tcp"
                mode = shm
                directory = "{{directory}}"
                maximum-frame-size = 128000b
              }
              dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            }
            """,
        _ => throw new ArgumentException($"Unknown mode {mode}"),
    }));

    /// <summary>The transport section for the raw SPI part; ring-size in bytes, 0 = the transport's default.</summary>
    public static Config RawSection(string mode, string directory, int ringSize = 0) => ConfigurationFactory.ParseString($$"""
        port = 0
        mode = {{mode}}
        directory = "{{directory}}"
        maximum-frame-size = 128000b
        """ + (ringSize > 0 ? $"\nring-size = {ringSize}b" : ""));

    /// <summary>A plain local ActorSystem (the raw transport only uses it for logging).</summary>
    public static Config Local => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        """);
}

/// <summary>
/// The IPC directories of one benchmark run: a unique root under /dev/shm with one sub-directory per test, so
/// nothing collides with other users of the transport on this host. Checks what each test left behind (files
/// in its directory, and the named semaphores the transport derives from the directory's path) and removes
/// all of it at the end.
/// </summary>
internal sealed class IpcDirectories : IDisposable
{
    private readonly List<string> _created = new();
    private readonly object _lock = new();

    private const string Prefix = "akka-ipc-bench-";

    public IpcDirectories()
    {
        string baseDirectory = Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        SweepStale(baseDirectory);
        Root = Path.Combine(baseDirectory, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Root { get; }

    /// <summary>A fresh, empty, owner-only directory for one test.</summary>
    public string Create(string name)
    {
        string path = Path.Combine(Root, name);
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        lock (_lock)
            _created.Add(path);
        return path;
    }

    /// <summary>What is left of a test whose processes have all exited: files in its directory and semaphores.</summary>
    public static List<string> Leftovers(string directory)
    {
        var left = new List<string>();
        if (Directory.Exists(directory))
            left.AddRange(Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName)!);
        left.AddRange(SemaphoreFiles(directory).Select(Path.GetFileName)!);
        return left;
    }

    /// <summary>Removes a test directory and its semaphores.</summary>
    public static void Remove(string directory)
    {
        foreach (var semaphore in SemaphoreFiles(directory))
            TryDelete(() => File.Delete(semaphore));
        TryDelete(() => Directory.Delete(directory, recursive: true));
    }

    public void Dispose()
    {
        List<string> created;
        lock (_lock)
            created = new List<string>(_created);
        foreach (var directory in created)
            Remove(directory);
        TryDelete(() => Directory.Delete(Root, recursive: true));
    }

    /// <summary>
    /// Removes the directories (and semaphores) of earlier runs whose orchestrating process no longer exists, e.g.
    /// one that was SIGKILLed: its children stop by themselves, but nobody is left to delete the run's root.
    /// </summary>
    private static void SweepStale(string baseDirectory)
    {
        IEnumerable<string> roots;
        try { roots = Directory.EnumerateDirectories(baseDirectory, Prefix + "*").ToList(); }
        catch (IOException) { return; }
        foreach (var root in roots)
        {
            string rest = Path.GetFileName(root)[Prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash <= 0 || !int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                || Directory.Exists($"/proc/{pid}"))
                continue;
            try
            {
                foreach (var directory in Directory.EnumerateDirectories(root).ToList())
                    Remove(directory);
            }
            catch (IOException) { }
            TryDelete(() => Directory.Delete(root, recursive: true));
        }
    }

    /// <summary>
    /// Named semaphores of endpoints in <paramref name="directory"/>: /dev/shm/sem.akka-ipc-&lt;uid&gt;-&lt;token&gt;-&lt;port&gt;,
    /// token = FNV-1a of the full directory path (as the transport names them).
    /// </summary>
    private static IEnumerable<string> SemaphoreFiles(string directory)
    {
        if (!Directory.Exists("/dev/shm"))
            return Array.Empty<string>();
        string prefix = $"sem.akka-ipc-{getuid()}-{Fnv1a(Path.GetFullPath(directory))}-";
        try
        {
            return Directory.EnumerateFiles("/dev/shm", prefix + "*").ToList();
        }
        catch (IOException)
        {
            return Array.Empty<string>();
        }
    }

    private static string Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(text))
            hash = (hash ^ b) * 16777619;
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    private static void TryDelete(Action delete)
    {
        try { delete(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint getuid();
}

/// <summary>Small statistics helpers.</summary>
internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Nearest-rank percentile of an ascending array.</summary>
    public static double Percentile(double[] sorted, double quantile)
    {
        if (sorted.Length == 0)
            return double.NaN;
        int rank = (int)Math.Ceiling(quantile * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static string Ratio(double numerator, double denominator) =>
        double.IsFinite(numerator) && double.IsFinite(denominator) && denominator > 0
            ? (numerator / denominator).ToString("F2", CultureInfo.InvariantCulture) + "x"
            : "-";
}

/// <summary>
/// Nanoseconds a process has spent on a CPU, summed over its threads from /proc/&lt;pid&gt;/task/*/schedstat
/// (nanosecond resolution, unlike the 10 ms ticks of /proc/&lt;pid&gt;/stat), in total and for the transport's own
/// <c>ipc-*</c> threads. Threads that ended between two reads drop out, so read around work that keeps its threads.
/// </summary>
internal readonly record struct CpuClock(long TotalNs, long TransportNs)
{
    public static CpuClock Read(params int[] pids)
    {
        long total = 0, transport = 0;
        foreach (int pid in pids)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    string schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    long ns = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
                    total += ns;
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("ipc-", StringComparison.Ordinal))
                        transport += ns;
                }
                catch (IOException) { } // the thread ended meanwhile
            }
        }
        return new CpuClock(total, transport);
    }

    public static CpuClock operator -(CpuClock after, CpuClock before) =>
        new(after.TotalNs - before.TotalNs, after.TransportNs - before.TransportNs);
}

/// <summary>
/// CPU time and context switches of a process from /proc, in total and for the transport's own threads
/// (named <c>ipc-...</c>: the shm ring reader and the FIFO/accept poll thread).
/// </summary>
internal sealed record ProcSample(long Ticks, long Switches, long TransportTicks, long TransportSwitches, int Threads, long WallTicks)
{
    private static readonly long ClockTicksPerSecond = sysconf(2 /* _SC_CLK_TCK */) is > 0 and var t ? t : 100;

    public static ProcSample Read(int pid)
    {
        long ticks = CpuTicks(File.ReadAllText($"/proc/{pid}/stat"));
        long switches = 0, transportTicks = 0, transportSwitches = 0;
        int threads = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                string comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                long taskSwitches = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                        || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        taskSwitches += long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture);
                switches += taskSwitches;
                if (comm.StartsWith("ipc-", StringComparison.Ordinal))
                {
                    transportSwitches += taskSwitches;
                    transportTicks += CpuTicks(File.ReadAllText(Path.Combine(task, "stat")));
                }
                threads++;
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        return new ProcSample(ticks, switches, transportTicks, transportSwitches, threads, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>utime + stime of a stat line: fields after the last ')' start at field 3; utime = 14, stime = 15.</summary>
    private static long CpuTicks(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
    }

    public static double Seconds(ProcSample before, ProcSample after) =>
        (after.WallTicks - before.WallTicks) / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>CPU use between two samples, in percent of one core.</summary>
    public static double CpuPercent(ProcSample before, ProcSample after) =>
        100.0 * (after.Ticks - before.Ticks) / ClockTicksPerSecond / Seconds(before, after);

    public static double TransportCpuPercent(ProcSample before, ProcSample after) =>
        100.0 * (after.TransportTicks - before.TransportTicks) / ClockTicksPerSecond / Seconds(before, after);

    public static double SwitchesPerSecond(ProcSample before, ProcSample after) =>
        (after.Switches - before.Switches) / Seconds(before, after);

    public static double TransportSwitchesPerSecond(ProcSample before, ProcSample after) =>
        (after.TransportSwitches - before.TransportSwitches) / Seconds(before, after);

    [DllImport("libc", SetLastError = false)]
    private static extern long sysconf(int name);
}
