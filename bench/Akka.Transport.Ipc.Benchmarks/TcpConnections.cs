using System.Globalization;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>
/// The kernel's view of which TCP connections processes hold: socket inodes from /proc/&lt;pid&gt;/fd matched with
/// the established rows of /proc/net/tcp and tcp6. Used to prove which channel an association really took, without
/// taking the transport's word for it.
/// </summary>
internal static class TcpConnections
{
    private const string Established = "01";

    /// <summary>An established connection of one of the processes: its local and remote port.</summary>
    public readonly record struct Connection(int Pid, int LocalPort, int RemotePort);

    /// <summary>Established TCP connections held by <paramref name="pids"/>.</summary>
    public static List<Connection> Of(params int[] pids)
    {
        var owners = new Dictionary<long, int>();
        foreach (int pid in pids)
            foreach (long inode in SocketInodes(pid))
                owners[inode] = pid;
        var result = new List<Connection>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != Established
                    || !long.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out long inode)
                    || !owners.TryGetValue(inode, out int owner))
                    continue;
                result.Add(new Connection(owner, Port(f[1]), Port(f[2])));
            }
        }
        return result;
    }

    /// <summary>Connections of <paramref name="pids"/> to or from any of <paramref name="ports"/> (the nodes' listening ports).</summary>
    public static List<Connection> Between(int[] pids, params int[] ports) =>
        Of(pids).Where(c => ports.Contains(c.RemotePort) || ports.Contains(c.LocalPort)).ToList();

    private static IEnumerable<long> SocketInodes(int pid)
    {
        IEnumerable<string> fds;
        try { fds = Directory.EnumerateFiles($"/proc/{pid}/fd").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { yield break; }
        foreach (var fd in fds)
        {
            string? target;
            try { target = new FileInfo(fd).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // closed meanwhile
            // "socket:[12345]"
            if (target != null && target.StartsWith("socket:[", StringComparison.Ordinal)
                && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out long inode))
                yield return inode;
        }
    }

    /// <summary>"0100007F:1F90" (hex address:port) → 8080.</summary>
    private static int Port(string endpoint) =>
        int.Parse(endpoint.AsSpan(endpoint.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
