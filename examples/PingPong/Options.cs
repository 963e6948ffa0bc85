namespace PingPong;

/// <summary>
/// Command line: --role ping|pong --port P --mode shm|fifo|tcp --messages N --size BYTES --directory D.
/// --parent-stdin true is what ping adds when it starts its own pong: stop when standard input closes.
/// --otel (no value): export the transport's metrics with OpenTelemetry's console exporter (see Telemetry).
/// </summary>
internal sealed record Options(string Role, int Port, string Mode, int Messages, int Size, string Directory, bool SpawnPong,
    bool ParentStdin, bool Otel)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool otel = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--otel")
            {
                otel = true; // a flag: it takes no value
                continue;
            }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'. Usage: {Usage}");
            values[args[i][2..]] = args[++i];
        }
        string Get(string key, string fallback) => values.Remove(key, out var v) ? v : fallback;
        var options = new Options(
            Role: Get("role", "ping"),
            Port: int.Parse(Get("port", "0")),
            Mode: Get("mode", "shm"),
            Messages: int.Parse(Get("messages", "100000")),
            Size: int.Parse(Get("size", "64")),
            Directory: Get("directory", ""),
            SpawnPong: false,
            ParentStdin: bool.Parse(Get("parent-stdin", "false")),
            Otel: otel);
        if (values.Count > 0)
            throw new ArgumentException($"Unknown option --{values.Keys.First()}. Usage: {Usage}");
        if (options.Role is not ("ping" or "pong"))
            throw new ArgumentException("--role must be ping or pong");
        if (options.Mode is not ("shm" or "fifo" or "tcp"))
            throw new ArgumentException("--mode must be shm, fifo or tcp");
        // Ping without a port starts its own pong process; with one, it talks to a pong started by hand.
        return options with { SpawnPong = options.Role == "ping" && options.Port == 0 };
    }

    public const string Usage =
        "PingPong [--role ping|pong] [--port P] [--mode shm|fifo|tcp] [--messages N] [--size BYTES] [--directory D] [--otel]";
}
