namespace ProducerConsumer;

/// <summary>
/// Command line. A user passes --mode/--producers/--messages/--size/--directory; --role producer, --consumer, --id and
/// --parent-stdin true (stop when standard input, a pipe from the consumer, closes) are what the consumer adds when it
/// starts its producer processes.
/// </summary>
internal sealed record Options(
    string Role, string Mode, int Producers, int Messages, int Size, string Directory, string Consumer, int Id,
    bool ParentStdin)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            values[args[i][2..]] = args[++i];
        }
        string Get(string key, string fallback) => values.Remove(key, out var v) ? v : fallback;
        var options = new Options(
            Role: Get("role", "consumer"),
            Mode: Get("mode", "shm"),
            Producers: int.Parse(Get("producers", "4")),
            Messages: int.Parse(Get("messages", "100000")),
            Size: int.Parse(Get("size", "64")),
            Directory: Get("directory", ""),
            Consumer: Get("consumer", ""),
            Id: int.Parse(Get("id", "0")),
            ParentStdin: bool.Parse(Get("parent-stdin", "false")));
        if (values.Count > 0)
            throw new ArgumentException($"Unknown option --{values.Keys.First()}.");
        if (options.Role is not ("consumer" or "producer"))
            throw new ArgumentException("--role must be consumer or producer.");
        if (options.Mode is not ("shm" or "fifo" or "tcp"))
            throw new ArgumentException("--mode must be shm, fifo or tcp.");
        if (options.Producers is < 1 or > 64)
            throw new ArgumentException("--producers must be between 1 and 64.");
        if (options.Messages < 1)
            throw new ArgumentException("--messages must be at least 1.");
        if (options.Size is < 0 or > MaxSize)
            throw new ArgumentException($"--size must be between 0 and {MaxSize}.");
        if (options.Role == "producer" && options.Consumer.Length == 0)
            throw new ArgumentException("--role producer needs --consumer ADDRESS.");
        return options;
    }

    /// <summary>Largest payload; the frame limit is raised to fit it (see <see cref="Hocon"/>).</summary>
    public const int MaxSize = 16 * 1024 * 1024;

    /// <summary>
    /// The consumer acknowledges every AckEvery messages of a producer. It shrinks for large payloads so that one
    /// acknowledgement never covers more than ~8 MiB.
    /// </summary>
    public int AckEvery => Math.Clamp(8 * 1024 * 1024 / Math.Max(Size, 1), 1, 1000);

    /// <summary>A producer keeps at most this many messages un-acknowledged: memory stays bounded on both sides.</summary>
    public int Window => 10 * AckEvery;

    public const string Usage =
        "ProducerConsumer [--mode shm|fifo|tcp] [--producers N] [--messages M] [--size BYTES] [--directory D]\n" +
        "  Starts N producer processes that each send M numbered messages of BYTES to this (consumer) process,\n" +
        "  which checks order and completeness. Defaults: --mode shm --producers 4 --messages 100000 --size 64.";
}
