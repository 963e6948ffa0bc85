namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// What the kernel says a process holds: threads and resident memory (/proc/pid/status), open descriptors
/// (/proc/pid/fd), and the CPU time it used so far (/proc/pid/stat utime + stime).
/// </summary>
internal sealed record ProcessVitals(int Threads, int OpenFds, long RssKiB, double CpuSeconds, IReadOnlyList<string> FdTargets)
{
    private const double ClockTicksPerSecond = 100; // USER_HZ, fixed at 100 on Linux
    public static ProcessVitals Read(int pid)
    {
        int threads = 0;
        long rss = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
                threads = int.Parse(line["Threads:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                rss = long.Parse(line["VmRSS:".Length..].Replace("kB", "").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        var targets = new List<string>();
        foreach (var fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                targets.Add(new FileInfo(fd).LinkTarget ?? "?");
            }
            catch (IOException)
            {
                // Closed between the listing and the readlink.
            }
        }
        // "pid (comm) state ppid …": fields after the command's closing parenthesis; utime and stime are the 14th and 15th.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        double cpu = (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        targets.Sort(StringComparer.Ordinal);
        return new ProcessVitals(threads, targets.Count, rss, cpu, targets);
    }

    public override string ToString() => $"{Threads} threads, {OpenFds} fds, {RssKiB / 1024.0:F0} MiB RSS, {CpuSeconds:F1} s CPU";

    /// <summary>
    /// Descriptors other than loaded assemblies and their symbols: the runtime opens a .dll (and a .pdb, to print
    /// a stack trace) the first time it needs one, once per process, which says nothing about leaks.
    /// </summary>
    public int NonAssemblyFds => FdTargets.Count(t => !t.EndsWith(".dll", StringComparison.Ordinal) && !t.EndsWith(".pdb", StringComparison.Ordinal));

    /// <summary>What <paramref name="later"/> has open that this did not (by target, e.g. "pipe:[…]", a path).</summary>
    public IEnumerable<string> FdsAddedIn(ProcessVitals later)
    {
        var before = FdTargets.GroupBy(t => Kind(t)).ToDictionary(g => g.Key, g => g.Count());
        return later.FdTargets.GroupBy(t => Kind(t))
            .Select(g => (g.Key, Added: g.Count() - before.GetValueOrDefault(g.Key)))
            .Where(k => k.Added != 0)
            .Select(k => $"{k.Added:+0;-0} {k.Key}");
    }

    // "pipe:[123]" → "pipe", "/dev/shm/x/5101.life" → "*.life", "/memfd:…" → "/memfd:…"
    private static string Kind(string target) =>
        target.Contains(":[", StringComparison.Ordinal) ? target[..target.IndexOf(":[", StringComparison.Ordinal)]
        : target.StartsWith('/') && Path.GetExtension(target) is { Length: > 0 } ext ? "*" + ext.Replace(" (deleted)", "")
        : target;

    /// <summary>The 1-minute load average of the machine (/proc/loadavg), to read timing figures against.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
