using System.Globalization;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// CPU nanoseconds of a set of processes from <c>/proc/&lt;pid&gt;/task/*/schedstat</c>, in total and for the
/// threads whose name (<c>comm</c>) starts with one of the given prefixes: the transport's own threads
/// (<c>ipc-rings-&lt;port&gt;</c>, the shm receiver, and <c>ipc-poll-&lt;port&gt;</c>, the FIFO/accept poll thread;
/// for dot-netty its event-loop threads). Threads that ended between two reads drop out.
/// </summary>
internal readonly record struct ThreadCpu(long TotalNs, long TransportNs, long JitNs)
{
    /// <summary>The runtime's tiered-compilation thread: it recompiles hot methods long after start-up on a crowded machine.</summary>
    private const string JitThread = ".NET Tiered Com";

    public static ThreadCpu Read(IEnumerable<int> pids, string[] transportPrefixes)
    {
        long total = 0, transport = 0, jit = 0;
        foreach (int pid in pids)
        {
            IEnumerable<string> tasks;
            try { tasks = Directory.EnumerateDirectories($"/proc/{pid}/task").ToList(); }
            catch (DirectoryNotFoundException) { continue; }
            foreach (var task in tasks)
            {
                try
                {
                    string schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    long ns = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture);
                    total += ns;
                    string comm = File.ReadAllText(Path.Combine(task, "comm"));
                    if (transportPrefixes.Any(p => comm.StartsWith(p, StringComparison.Ordinal)))
                        transport += ns;
                    else if (comm.StartsWith(JitThread, StringComparison.Ordinal))
                        jit += ns;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the thread ended meanwhile
            }
        }
        return new ThreadCpu(total, transport, jit);
    }

    /// <summary>
    /// CPU ms per thread name (trailing number cut off) between two <see cref="ThreadsByName"/> readings, largest
    /// first: for the log, to see where a process's CPU went.
    /// </summary>
    public static string DescribeDelta(SortedDictionary<string, (int Count, double Ms)> before, SortedDictionary<string, (int Count, double Ms)> after) =>
        string.Join(", ", after.Select(kv => (Name: kv.Key, kv.Value.Count, Ms: kv.Value.Ms - before.GetValueOrDefault(kv.Key).Ms))
            .OrderByDescending(t => t.Ms).Select(t => $"{t.Name} x{t.Count} {t.Ms:F1} ms"));

    /// <summary>CPU ms so far per thread name of a process (trailing number cut off), and how many threads bear it.</summary>
    public static SortedDictionary<string, (int Count, double Ms)> ThreadsByName(int pid)
    {
        var byName = new SortedDictionary<string, (int Count, double Ms)>(StringComparer.Ordinal);
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    string name = File.ReadAllText(Path.Combine(task, "comm")).Trim().TrimEnd("0123456789".ToCharArray());
                    string schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                    double ms = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture) / 1e6;
                    var (count, sum) = byName.GetValueOrDefault(name);
                    byName[name] = (count + 1, sum + ms);
                }
                catch (IOException) { }
            }
        }
        catch (DirectoryNotFoundException) { }
        return byName;
    }

    public static ThreadCpu operator -(ThreadCpu after, ThreadCpu before) =>
        new(after.TotalNs - before.TotalNs, after.TransportNs - before.TransportNs, after.JitNs - before.JitNs);
}

/// <summary>
/// The /dev/shm bytes a set of processes hold through the transport: the distinct files under
/// <c>directory</c> that they map (association segments are unlinked once both sides mapped them, so they are
/// found through <c>/proc/&lt;pid&gt;/maps</c>, not in the directory), plus what is still in the directory
/// (lock files, FIFOs, segments not yet unlinked). Every segment page is reserved with posix_fallocate when it is
/// created, so a segment's mapped length is what it costs.
/// </summary>
internal static class ShmUsage
{
    public static (long Bytes, int Segments) Of(IEnumerable<int> pids, string directory)
    {
        var largest = new Dictionary<string, long>(StringComparer.Ordinal); // "dev inode" -> bytes mapped by one process
        string prefix = Path.GetFullPath(directory) + "/";
        foreach (int pid in pids)
        {
            IEnumerable<string> lines;
            try { lines = File.ReadAllLines($"/proc/{pid}/maps"); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            var mine = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var line in lines)
            {
                // start-end perms offset dev inode path
                var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 6 || !fields[5].StartsWith(prefix, StringComparison.Ordinal))
                    continue;
                var range = fields[0].Split('-');
                long length = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
                    - long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                string key = fields[3] + " " + fields[4];
                mine[key] = mine.GetValueOrDefault(key) + length; // one file may be mapped in pieces
            }
            // Both sides of an association map its segment: count each file once.
            foreach (var (key, length) in mine)
                largest[key] = Math.Max(largest.GetValueOrDefault(key), length);
        }
        long mapped = largest.Values.Sum();
        long files = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles())
            files += file.Length;
        return (mapped + files, largest.Count);
    }
}
