namespace LocalCluster;

/// <summary>
/// Command line. A user passes nothing (or --directory, --verbose); --role node and the node options are what the
/// orchestrating process adds when it starts its nodes.
/// </summary>
internal sealed record Options(
    string Role, string Directory, bool Verbose, string Name, string Seed, bool DownDeadPeers, bool ParentStdin)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        bool verbose = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--verbose")
            {
                verbose = true;
                continue;
            }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            values[args[i][2..]] = args[++i];
        }
        string Get(string key, string fallback) => values.Remove(key, out var v) ? v : fallback;
        var options = new Options(
            Role: Get("role", "orchestrator"),
            Directory: Get("directory", ""),
            Verbose: verbose,
            Name: Get("name", ""),
            Seed: Get("seed", ""),
            DownDeadPeers: Get("down-dead-peers", "off") switch
            {
                "on" => true,
                "off" => false,
                var other => throw new ArgumentException($"--down-dead-peers must be on or off, not '{other}'."),
            },
            ParentStdin: bool.Parse(Get("parent-stdin", "false")));
        if (values.Count > 0)
            throw new ArgumentException($"Unknown option --{values.Keys.First()}.");
        if (options.Role is not ("orchestrator" or "node"))
            throw new ArgumentException("--role must be orchestrator or node.");
        if (options.Role == "node" && (options.Name.Length == 0 || options.Seed.Length == 0 || options.Directory.Length == 0))
            throw new ArgumentException("--role node needs --name, --seed (an address, or 'self') and --directory.");
        return options;
    }

    public const string Usage =
        "LocalCluster [--directory ROOT] [--verbose]\n" +
        "  Starts three co-located cluster nodes (one IPC directory) and one 'remote' node (its own directory, reached\n" +
        "  over TCP), all hybrid (akka.tcp addresses, network-transport = dot-netty), as child processes on 127.0.0.1;\n" +
        "  shows which channel each association uses, kills one co-located node with SIGKILL and measures how long the\n" +
        "  cluster takes to remove it, with down-dead-peers off and then on. ROOT: where its IPC directories are created\n" +
        "  (default /dev/shm, or the temp directory without /dev/shm). --verbose: pass the nodes' logs through.";
}
