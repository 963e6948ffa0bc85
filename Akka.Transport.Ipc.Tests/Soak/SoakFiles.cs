using System.Globalization;

namespace Akka.Transport.Ipc.Tests.Soak;

/// <summary>
/// How the chaos soak's roles talk besides barriers: plain files in the spec's own directory (beside the kit's IPC
/// directory, removed with the run). The driver writes what the nodes need (the tmpfs to use, whom to stream to, the
/// port of a slot's next life); every node life tees its standard output into a file of its own that the driver reads
/// (its SOAK-* lines, ERRORs), killed lives included: a line is in the file once its write returned.
/// <code>
///   tmpfs                  the mounted tmpfs the soak systems live in (written by the driver before 'mounted')
///   skip                   why the soak cannot run (instead of tmpfs)
///   peers                  "version" then one address a line: every live node streams to the others
///   node{slot}.port        the port the slot's next life listens on (0: any free port)
///   node{slot}-life{n}.out life n of the slot's standard output
/// </code>
/// Files the driver rewrites are replaced atomically (written aside, then renamed), so a reader never sees half.
/// </summary>
internal sealed class SoakFiles(string directory)
{
    public string Directory { get; } = directory;

    public void Create() => System.IO.Directory.CreateDirectory(Directory);

    public string OutputOf(int slot, int life) => Path.Combine(Directory, $"node{slot}-life{life}.out");

    public string? TmpfsPath => Read("tmpfs");

    public string? SkipReason => Read("skip");

    public void WriteTmpfs(string path) => Write("tmpfs", path);

    public void WriteSkip(string reason) => Write("skip", reason);

    public void WritePort(int slot, int port) => Write($"node{slot}.port", port.ToString(CultureInfo.InvariantCulture));

    public int PortOf(int slot) => int.Parse(Read($"node{slot}.port") ?? "0", CultureInfo.InvariantCulture);

    public void WritePeers(int version, IEnumerable<string> addresses) =>
        Write("peers", string.Join('\n', addresses.Prepend(version.ToString(CultureInfo.InvariantCulture))));

    /// <summary>The peers file's version and addresses; version 0 when there is none yet.</summary>
    public (int Version, IReadOnlyList<string> Addresses) ReadPeers()
    {
        var lines = Read("peers")?.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines is null || lines.Length == 0 ? (0, Array.Empty<string>()) : (int.Parse(lines[0], CultureInfo.InvariantCulture), lines[1..]);
    }

    private string? Read(string name)
    {
        string path = Path.Combine(Directory, name);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private void Write(string name, string text)
    {
        string path = Path.Combine(Directory, name), aside = path + ".new";
        File.WriteAllText(aside, text);
        File.Move(aside, path, overwrite: true);
    }
}

/// <summary>
/// One node life's output as the driver sees it: the lines of its output file so far, read on from where the last
/// read stopped (a line is taken once its newline is there).
/// </summary>
/// <remarks>
/// The life appends while the driver reads, and a line may reach the file in several writes. So the read position
/// advances by exactly the bytes read (never to a length taken after the read: bytes appended in between would be
/// skipped, as once turned "akka.ipc://Soak3@…" into "akka.ipc://ak3@…"), and bytes after the last newline wait for the
/// next read undecoded (a newline byte never occurs inside a UTF-8 sequence, so only whole lines are decoded).
/// </remarks>
internal sealed class SoakLifeOutput(string path)
{
    private readonly List<string> _lines = [];
    private byte[] _partial = [];
    private long _offset;

    /// <summary>The life's process id (from its SOAK-LIFE line).</summary>
    public int ProcessId { get; set; }

    /// <summary>Every complete line written so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_lines)
            {
                ReadOn();
                return _lines.ToArray();
            }
        }
    }

    private void ReadOn()
    {
        if (!File.Exists(path))
            return;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        long available = file.Length - _offset;
        if (available <= 0)
            return;
        var bytes = new byte[_partial.Length + available];
        _partial.CopyTo(bytes, 0);
        file.Seek(_offset, SeekOrigin.Begin);
        int read = file.ReadAtLeast(bytes.AsSpan(_partial.Length), (int)available, throwOnEndOfStream: false);
        _offset += read;
        var text = bytes.AsSpan(0, _partial.Length + read);
        int end = text.LastIndexOf((byte)'\n');
        _partial = text[(end + 1)..].ToArray();
        if (end < 0)
            return;
        _lines.AddRange(System.Text.Encoding.UTF8.GetString(text[..end]).Split('\n').Select(l => l.TrimEnd('\r')));
    }
}
