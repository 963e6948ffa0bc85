using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Akka.Transport.Ipc.Interop;

namespace Akka.Transport.Ipc.Endpoint;

/// <summary>
/// Every name the transport creates, in one place. Each endpoint (port) owns, in the directory:
/// <code>
///   &lt;port&gt;.lock          flock held for the endpoint's lifetime (pid inside, for people)
///   &lt;port&gt;.accept        FIFO the endpoint reads connect requests from
///   &lt;port&gt;.life          FIFO the endpoint holds open; peers watch it for POLLHUP = endpoint died
///   &lt;port&gt;.stats         the endpoint's statistics (JSON), replaced whole from &lt;port&gt;.stats-new every second
///   &lt;port&gt;-&lt;id&gt;-&lt;token&gt;.seg  association segment offered by this endpoint (in the shm directory; unlinked once accepted)
///   &lt;port&gt;-&lt;id&gt;.c2s/.s2c FIFO pair of an association offered by this endpoint (unlinked once both ends are open)
/// </code>
/// and one doorbell semaphore <c>/akka-ipc-&lt;uid&gt;-&lt;token&gt;-&lt;port&gt;</c>, where the token is a hash of the
/// directory so that endpoints in different directories never share names.
/// Every entry starts with its port, which is what stale cleanup keys on. A segment carries the token too: the
/// shm-directory may be shared by several IPC directories (e.g. <c>shm-directory = /dev/shm</c>), and the sweep
/// removes only segments of its own directory's dead endpoints (<see cref="ShapeOf"/>).
/// </summary>
internal sealed class ChannelNames
{
    /// <summary>
    /// Both directories are normalised (full path, no trailing separator), so "/x" and "/x/" name the same
    /// semaphores and files.
    /// </summary>
    public ChannelNames(string directory, string? shmDirectory = null)
    {
        Directory = Normalise(directory);
        ShmDirectory = Normalise(shmDirectory ?? directory);
        Token = HashToken(Directory);
        SemaphorePrefix = $"/akka-ipc-{Posix.Uid}-{Token}-";
    }

    public string Directory { get; }

    /// <summary>Where this endpoint creates association segments (the directory unless configured otherwise).</summary>
    public string ShmDirectory { get; }

    /// <summary>Eight hex digits identifying the directory in names outside it.</summary>
    public string Token { get; }

    /// <summary>Prefix of this directory's semaphore names (with the leading '/').</summary>
    public string SemaphorePrefix { get; }

    public string Lock(int port) => Path.Combine(Directory, $"{port}.lock");

    public string Accept(int port) => Path.Combine(Directory, $"{port}.accept");

    /// <summary>The endpoint's statistics (JSON, replaced whole every second; read by the akka-ipc tool).</summary>
    public string Stats(int port) => Path.Combine(Directory, $"{port}.stats");

    /// <summary>Where the next statistics are written before they replace <see cref="Stats"/> (rename is atomic).</summary>
    public string StatsNew(int port) => Path.Combine(Directory, $"{port}.stats-new");

    public string Life(int port) => Path.Combine(Directory, $"{port}.life");

    public string Segment(int port, long id) => Segment(ShmDirectory, port, id);

    /// <summary>A segment offered by <paramref name="port"/> of this directory in <paramref name="shmDirectory"/> (the offerer's).</summary>
    public string Segment(string shmDirectory, int port, long id) => Path.Combine(shmDirectory, $"{port}-{id}-{Token}.seg");

    public string ClientToServer(int port, long id) => Path.Combine(Directory, $"{port}-{id}.c2s");

    public string ServerToClient(int port, long id) => Path.Combine(Directory, $"{port}-{id}.s2c");

    public string Doorbell(int port) => SemaphorePrefix + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The endpoint a directory entry belongs to, or null when the name is not ours.</summary>
    public static int? PortOf(string fileName)
    {
        int end = 0;
        while (end < fileName.Length && char.IsAsciiDigit(fileName[end]))
            end++;
        if (end == 0 || end == fileName.Length || (fileName[end] != '.' && fileName[end] != '-'))
            return null;
        return int.TryParse(fileName.AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : null;
    }

    private static string Normalise(string directory) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));

    private static readonly Regex EntryShape = new(
        @"^(?<port>[0-9]{1,5})(?:\.(?<kind>lock|accept|life|stats|stats-new)|-[0-9]{1,19}\.(?<kind>c2s|s2c)|-[0-9]{1,19}-(?<token>[0-9a-f]{8})\.(?<kind>seg))$",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// The port and kind of an entry named exactly as this class names them, or null for any other name
    /// (including a segment of another directory, whose token differs from <paramref name="token"/>).
    /// </summary>
    public static (int Port, EntryKind Kind)? ShapeOf(string fileName, string token)
    {
        var match = EntryShape.Match(fileName);
        if (!match.Success)
            return null;
        if (match.Groups["token"].Success && match.Groups["token"].Value != token)
            return null;
        int port = int.Parse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        if (port is < 1 or > 65535)
            return null;
        var kind = match.Groups["kind"].Value switch
        {
            "lock" => EntryKind.Lock,
            "accept" or "life" or "c2s" or "s2c" => EntryKind.Fifo,
            "stats" or "stats-new" => EntryKind.Stats,
            _ => EntryKind.Segment,
        };
        return (port, kind);
    }

    private static string HashToken(string directory)
    {
        // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode.
        uint hash = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(directory))
            hash = (hash ^ b) * 16777619;
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }
}

/// <summary>What an entry named by <see cref="ChannelNames"/> is: a lock file, a FIFO, a segment or statistics.</summary>
internal enum EntryKind
{
    Lock,
    Fifo,
    Segment,
    Stats,
}
