using System.Globalization;

namespace Akka.Transport.Ipc.Tests.Infrastructure;

/// <summary>
/// Which TCP connections two processes hold with each other, read from the kernel and not from any transport's word:
/// the established rows of <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c> (this network namespace, which the
/// roles' processes share), and each process's socket inodes (<c>/proc/&lt;pid&gt;/fd</c> → <c>socket:[inode]</c>).
/// A connection between the two is a pair of rows, one owned by each process, whose local and remote ends are
/// swapped.
/// </summary>
public static class TcpConnections
{
    private const string Established = "01";

    /// <summary>One end of an established connection as the kernel lists it.</summary>
    /// <param name="Local">Local address:port in the kernel's hex notation.</param>
    /// <param name="Remote">Remote address:port in the kernel's hex notation.</param>
    public sealed record Row(string Local, string Remote, long Inode)
    {
        public int LocalPort => PortOf(Local);

        public int RemotePort => PortOf(Remote);

        public override string ToString() => $"{LocalPort}->{RemotePort}";
    }

    /// <summary>
    /// The established TCP connections between <paramref name="pidA"/> and <paramref name="pidB"/>, as the ends
    /// <paramref name="pidA"/> owns (local port → remote port), in either direction of connect.
    /// </summary>
    public static IReadOnlyList<Row> Between(int pidA, int pidB)
    {
        var rows = EstablishedRows();
        var socketsA = SocketInodes(pidA);
        var socketsB = SocketInodes(pidB);
        var endsOfB = rows.Where(r => socketsB.Contains(r.Inode)).Select(r => (r.Local, r.Remote)).ToHashSet();
        return rows.Where(r => socketsA.Contains(r.Inode) && endsOfB.Contains((r.Remote, r.Local))).ToList();
    }

    /// <summary>Every established TCP connection end <paramref name="pid"/> owns.</summary>
    public static IReadOnlyList<Row> Of(int pid)
    {
        var sockets = SocketInodes(pid);
        return EstablishedRows().Where(r => sockets.Contains(r.Inode)).ToList();
    }

    /// <summary>Established rows of both tables; columns: sl local remote st tx:rx tr:when retrnsmt uid timeout inode.</summary>
    private static List<Row> EstablishedRows()
    {
        var rows = new List<Row>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
                continue;
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != Established)
                    continue;
                rows.Add(new Row(fields[1], fields[2], long.Parse(fields[9], CultureInfo.InvariantCulture)));
            }
        }
        return rows;
    }

    /// <summary>The inodes of the sockets <paramref name="pid"/> has open (its fd links read <c>socket:[inode]</c>).</summary>
    /// <exception cref="InvalidOperationException">The process does not exist (any more).</exception>
    private static HashSet<long> SocketInodes(int pid)
    {
        string fdDirectory = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd";
        var inodes = new HashSet<long>();
        IEnumerable<string> descriptors;
        try
        {
            descriptors = Directory.GetFiles(fdDirectory);
        }
        catch (DirectoryNotFoundException)
        {
            throw new InvalidOperationException($"Process {pid} does not exist: no {fdDirectory}.");
        }
        foreach (var descriptor in descriptors)
        {
            string? target;
            try
            {
                target = new FileInfo(descriptor).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']'))
                inodes.Add(long.Parse(target.AsSpan(8, target.Length - 9), CultureInfo.InvariantCulture));
        }
        return inodes;
    }

    private static int PortOf(string hexAddress) =>
        int.Parse(hexAddress.AsSpan(hexAddress.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
