using System.Globalization;

namespace LocalCluster;

/// <summary>
/// Which channel two node processes use, as the kernel sees it (not as the transport says): a shared-memory
/// association is a segment file both processes have mapped (/proc/&lt;pid&gt;/maps; the file itself is unlinked once
/// both sides mapped it, so the maps show it as deleted); a TCP association is an established connection held by one
/// of them (a socket in /proc/&lt;pid&gt;/fd, found in /proc/net/tcp or tcp6) to the other's listening port.
/// </summary>
internal static class KernelView
{
    /// <summary>What connects two nodes: the segments both map, and the TCP connections between them.</summary>
    public sealed record Link(IReadOnlyList<string> SharedSegments, IReadOnlyList<string> TcpConnections)
    {
        public bool IsSharedMemory => SharedSegments.Count > 0;
        public bool IsTcp => TcpConnections.Count > 0;

        public string Describe() => (IsSharedMemory, IsTcp) switch
        {
            (true, false) => $"shared memory (both map {string.Join(", ", SharedSegments)}; no TCP connection)",
            (false, true) => $"TCP ({string.Join(", ", TcpConnections)}; no shared segment)",
            (true, true) => $"BOTH shared memory ({string.Join(", ", SharedSegments)}) and TCP ({string.Join(", ", TcpConnections)})",
            _ => "none yet",
        };
    }

    /// <summary>The node processes to look at: pid and listening TCP port (from its akka.tcp address).</summary>
    public readonly record struct Process(string Name, int Pid, int Port);

    public static Link Between(Process a, Process b)
    {
        var mappedByB = SegmentMappings(b.Pid);
        var shared = SegmentMappings(a.Pid).Where(m => mappedByB.ContainsKey(m.Key)).Select(m => m.Value).Distinct().Order().ToList();
        var tcp = new List<string>();
        foreach (var (owner, other) in new[] { (a, b), (b, a) })
            foreach (var (local, remote) in EstablishedConnections(owner.Pid))
                if (remote == other.Port)
                    tcp.Add($"{owner.Name} 127.0.0.1:{local} -> {other.Name} 127.0.0.1:{remote}");
        return new Link(shared, tcp);
    }

    /// <summary>Mapped association segments of a process: (device, inode) → file name.</summary>
    private static Dictionary<(string Device, long Inode), string> SegmentMappings(int pid)
    {
        var result = new Dictionary<(string, long), string>();
        IEnumerable<string> lines;
        try { lines = File.ReadAllLines($"/proc/{pid}/maps"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return result; }
        foreach (var line in lines)
        {
            // address perms offset dev inode pathname [(deleted)]
            var f = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 6 || !long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out long inode) || inode == 0)
                continue;
            string path = f[5].Trim();
            if (path.EndsWith(" (deleted)", StringComparison.Ordinal))
                path = path[..^" (deleted)".Length];
            if (path.EndsWith(".seg", StringComparison.Ordinal))
                result[(f[3], inode)] = Path.GetFileName(path);
        }
        return result;
    }

    /// <summary>Established TCP connections held by a process: (local port, remote port).</summary>
    private static List<(int Local, int Remote)> EstablishedConnections(int pid)
    {
        var sockets = new HashSet<long>();
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                string? target = null;
                try { target = new FileInfo(fd).LinkTarget; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // closed meanwhile
                // "socket:[12345]"
                if (target != null && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
                    sockets.Add(inode);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the process is gone
        var result = new List<(int, int)>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ... inode: state 01 = ESTABLISHED, inode is field 9
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == "01"
                    && long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode) && sockets.Contains(inode))
                    result.Add((Port(f[1]), Port(f[2])));
            }
        }
        return result;
    }

    /// <summary>"0100007F:1F90" (hex address:port) → 8080.</summary>
    private static int Port(string endpoint) =>
        int.Parse(endpoint.AsSpan(endpoint.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
