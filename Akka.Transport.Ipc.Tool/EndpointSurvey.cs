using Akka.Transport.Ipc.Diagnostics;
using Akka.Transport.Ipc.Endpoint;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Tool;

/// <summary>One endpoint of a directory as the tool sees it: its lock (alive or not, and what it says) and its statistics.</summary>
public sealed record EndpointView(
    int Port,
    bool Alive,
    int? Pid,
    string? Address,
    int? Uid,
    string? Mode,
    DateTimeOffset? StartedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyList<AssociationStats> Associations,
    IReadOnlyDictionary<string, long> Ended,
    IReadOnlyList<EndedAssociation> RecentEnds,
    string? Problem);

/// <summary>
/// Reads a directory without touching anything: every <c>&lt;port&gt;.lock</c> (alive = somebody holds it), what
/// the endpoint wrote into it, and its <c>&lt;port&gt;.stats</c>. Everything read is untrusted: a file that cannot
/// be read or parsed becomes a <see cref="EndpointView.Problem"/>, never an exception.
/// </summary>
public static class EndpointSurvey
{
    private const int MaxStatsBytes = 4 << 20;

    public static IReadOnlyList<EndpointView> Read(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"'{directory}' does not exist (no endpoint has used it, or it was removed)");
        var names = new ChannelNames(directory);
        var views = new List<EndpointView>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.lock").Order(StringComparer.Ordinal))
        {
            if (ChannelNames.ShapeOf(Path.GetFileName(file), names.Token) is not (int port, EntryKind.Lock))
                continue;
            views.Add(ReadOne(names, port));
        }
        return views.OrderBy(v => v.Port).ToList();
    }

    private static EndpointView ReadOne(ChannelNames names, int port)
    {
        bool alive = Posix.IsLockHeld(names.Lock(port));
        string? info = EndpointLock.ReadInfo(names.Lock(port));
        var identity = info != null ? EndpointIdentity.FromLockInfo(info) : null;
        int? pid = info != null ? PidOf(info) : null;
        string? problem = null;
        var stats = alive ? ReadStats(names.Stats(port), out problem) : null;
        if (stats != null && stats.Pid != pid)
            (stats, problem) = ((StatsDocument?)null, $"its statistics name pid {stats!.Pid}, its lock pid {pid}");
        return new EndpointView(
            port, alive, pid,
            stats?.Address ?? (identity != null ? "akka." + identity.Address : null),
            identity?.Uid,
            stats?.Mode,
            stats?.StartedAt,
            stats?.UpdatedAt,
            stats?.Associations ?? (IReadOnlyList<AssociationStats>)Array.Empty<AssociationStats>(),
            stats?.Ended ?? new Dictionary<string, long>(),
            stats?.RecentEnds ?? (IReadOnlyList<EndedAssociation>)Array.Empty<EndedAssociation>(),
            problem);
    }

    private static StatsDocument? ReadStats(string path, out string? problem)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                problem = "no statistics yet";
                return null;
            }
            if (info.LinkTarget != null || info.Length > MaxStatsBytes)
            {
                problem = $"'{path}' is not a statistics file (a link, or larger than {MaxStatsBytes} bytes)";
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot read '{path}': {e.Message}";
            return null;
        }
        var document = StatsDocument.TryParse(bytes, out string? error);
        problem = error == null ? null : $"'{path}': {error}";
        return document;
    }

    private static int? PidOf(string lockInfo)
    {
        foreach (var field in lockInfo.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            if (field.StartsWith("pid=", StringComparison.Ordinal) && int.TryParse(field.AsSpan(4), out int pid))
                return pid;
        return null;
    }
}
