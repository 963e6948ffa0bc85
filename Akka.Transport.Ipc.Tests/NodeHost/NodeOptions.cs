namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Command line of the child: --directory d --port p --system s [--ring-size x] [--max-frame y] [--mode m]
/// [--shm-directory d] [--allow-errors regex] (ERROR log events the test provokes on purpose; see ErrorReporter).
/// </summary>
public sealed record NodeOptions(
    string Directory,
    int Port,
    string SystemName,
    string RingSize,
    string MaxFrame,
    string Mode,
    string ShmDirectory = "",
    string AllowedErrors = "")
{
    public static NodeOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{string.Join(' ', args)}'.");
            values[args[i][2..]] = args[i + 1];
        }

        string Get(string name, string? fallback = null) =>
            values.TryGetValue(name, out var v) ? v
            : fallback ?? throw new ArgumentException($"Missing required argument --{name}.");

        return new NodeOptions(
            Get("directory"),
            int.Parse(Get("port", "0"), System.Globalization.CultureInfo.InvariantCulture),
            Get("system", "Node"),
            Get("ring-size", "1MiB"),
            Get("max-frame", "128000b"),
            Get("mode", "auto"),
            Get("shm-directory", ""),
            Get("allow-errors", ""));
    }

    /// <summary>The inverse of <see cref="Parse"/>, one element per argv entry (no shell quoting needed).</summary>
    public IEnumerable<string> ToArguments() =>
    [
        "--directory", Directory,
        "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--system", SystemName,
        "--ring-size", RingSize,
        "--max-frame", MaxFrame,
        "--mode", Mode,
        "--shm-directory", ShmDirectory,
        "--allow-errors", AllowedErrors,
    ];
}
