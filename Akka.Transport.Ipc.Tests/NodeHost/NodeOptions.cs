namespace Akka.Transport.Ipc.Tests.NodeHost;

/// <summary>
/// Command line of the child: --directory d --port p --system s [--ring-size x] [--max-frame y] [--mode m]
/// [--shm-directory d] [--allow-errors regex] (ERROR log events the test provokes on purpose; see ErrorReporter)
/// [--kind ipc|hybrid] [--cluster on|off] [--network-transport path] [--down-dead-peers on|off].
/// </summary>
/// <param name="Kind">
/// <c>ipc</c>: akka.ipc addresses only (the shapes of <see cref="IpcHocon.Build"/>, <c>mode = tcp</c> included);
/// <c>hybrid</c>: akka.remote.ipc with <see cref="NetworkTransport"/>, the node's address is dot-netty's on 127.0.0.1
/// and <see cref="Port"/> is the dot-netty port.
/// </param>
/// <param name="Cluster">Akka.Cluster provider (see <see cref="IpcHocon.Cluster"/>); the node joins no cluster.</param>
/// <param name="DownDeadPeers"><c>akka.remote.ipc.down-dead-peers</c> (<c>on</c>/<c>off</c>); "" leaves the key out.</param>
public sealed record NodeOptions(
    string Directory,
    int Port,
    string SystemName,
    string RingSize,
    string MaxFrame,
    string Mode,
    string ShmDirectory = "",
    string AllowedErrors = "",
    string Kind = NodeKinds.Ipc,
    bool Cluster = false,
    string NetworkTransport = "akka.remote.dot-netty.tcp",
    string DownDeadPeers = "")
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

        string kind = Get("kind", NodeKinds.Ipc);
        if (kind is not (NodeKinds.Ipc or NodeKinds.Hybrid))
            throw new ArgumentException($"--kind '{kind}' is not one of {NodeKinds.Ipc}, {NodeKinds.Hybrid}.");

        return new NodeOptions(
            Get("directory"),
            int.Parse(Get("port", "0"), System.Globalization.CultureInfo.InvariantCulture),
            Get("system", "Node"),
            Get("ring-size", "1MiB"),
            Get("max-frame", "128000b"),
            Get("mode", "auto"),
            Get("shm-directory", ""),
            Get("allow-errors", ""),
            kind,
            Get("cluster", "off") switch
            {
                "on" => true,
                "off" => false,
                var other => throw new ArgumentException($"--cluster '{other}' is not on or off."),
            },
            Get("network-transport", "akka.remote.dot-netty.tcp"),
            Get("down-dead-peers", ""));
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
        "--kind", Kind,
        "--cluster", Cluster ? "on" : "off",
        "--network-transport", NetworkTransport,
        "--down-dead-peers", DownDeadPeers,
    ];
}

/// <summary>The values of <see cref="NodeOptions.Kind"/>.</summary>
public static class NodeKinds
{
    /// <summary>akka.ipc addresses, every peer on this host (the transport's local-only mode).</summary>
    public const string Ipc = "ipc";

    /// <summary>akka.remote.ipc with network-transport: dot-netty's address, co-located peers over IPC.</summary>
    public const string Hybrid = "hybrid";
}
