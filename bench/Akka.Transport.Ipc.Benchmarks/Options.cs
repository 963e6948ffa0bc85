using System.Globalization;

namespace Akka.Transport.Ipc.Benchmarks;

/// <summary>The parts of the benchmark, in the order they run.</summary>
internal static class Parts
{
    public const string E2E = "e2e";
    public const string Latency = "latency";
    public const string Raw = "raw";
    public const string Micro = "micro";
    public const string Idle = "idle";
    public const string Metrics = "metrics";
    public const string Scale = "scale";
    public const string Setup = "setup";

    /// <summary>What a run without --only runs.</summary>
    public static readonly string[] All = { E2E, Latency, Raw, Micro, Idle, Scale, Setup };

    /// <summary>Parts run only when --only names them (e.g. a before/after comparison of one change).</summary>
    public static readonly string[] Optional = { Metrics };
}

/// <summary>Command line of the orchestrating process (children get a <c>--role</c>, see <see cref="ChildArgs"/>).</summary>
internal sealed record Options
{
    public bool Quick { get; init; }
    public IReadOnlyList<string> Only { get; init; } = Parts.All;
    public int Repetitions { get; init; }
    public int RoundTripsPerClient { get; init; }
    public int[] ClientCounts { get; init; } = { 1, 5, 10, 20 };
    public int InFlight { get; init; } = 50;
    public int LatencySamples { get; init; }
    public int LatencyWarmup { get; init; }
    public int IdleSeconds { get; init; }
    public string? OutputDirectory { get; init; }

    /// <summary>
    /// Ring sizes (bytes) the raw part runs shm at, one fresh pair of processes each; empty = the transport's
    /// default (ipc.conf) only. Used to choose that default: see the README's "/dev/shm budget".
    /// </summary>
    public IReadOnlyList<int> RingSizes { get; init; } = [];

    /// <summary>Process counts of the scale part (default 2, 4, 8, 16; --quick 2, 4).</summary>
    public IReadOnlyList<int> ScaleProcesses { get; init; } = [2, 4, 8, 16];

    /// <summary>Timed samples per mode and level of the setup part (default 30, --quick 5), after warm-up samples.</summary>
    public int SetupSamples { get; init; }

    /// <summary>
    /// Modes the e2e and latency parts run, alternated within each repetition: all of <see cref="ActorModes.All"/> by
    /// default, <see cref="ActorModes.QuickDefault"/> with --quick; --modes chooses (e.g. the hybrid ones with --quick).
    /// </summary>
    public IReadOnlyList<string> Modes { get; init; } = ActorModes.All;

    /// <summary>Modes of the raw transport part (the IPC SPI only).</summary>
    public static readonly string[] RawModes = { "shm", "fifo" };

    public const string Usage = """
        Akka.Transport.Ipc.Benchmarks [--quick] [--only e2e|latency|raw|micro|idle|scale|setup|metrics[,...]]
                                      [--reps N] [--round-trips N] [--clients 1,5,10,20] [--latency-samples N]
                                      [--idle-seconds S] [--modes ipc-shm,ipc-fifo,tcp,hybrid-local,hybrid-remote]
                                      [--ring-sizes 64KiB,...] [--processes 2,4,8,16] [--setup-samples N]
                                      [--out DIR]

          --quick            small counts, one repetition, short BenchmarkDotNet job (about a minute)
          --only PARTS       run only these parts (comma separated). metrics (only when named): the shm raw
                             streams and the ipc-shm e2e runs with the transport's frame counting off, on, and
                             on with a MeterListener on every instrument, alternated in one run, side by side
          --reps N           repetitions of the e2e and latency parts (default 3, quick 1)
          --round-trips N    round trips per client in the e2e part (default 20000, quick 2000)
          --clients LIST     client counts of the e2e part (default 1,5,10,20)
          --latency-samples  Ask round trips measured per repetition (default 10000, quick 1000)
          --idle-seconds S   length of the idle measurement (default 10, quick 5)
          --modes LIST       modes of the e2e and latency parts (default all five; quick: ipc-shm,ipc-fifo,tcp).
                             hybrid-local: both nodes network-transport = dot-netty, one IPC directory (the
                             shm shortcut; compared with ipc-shm); hybrid-remote: the same, each node its own
                             directory, as on two hosts (dot-netty; compared with tcp). Ratios need the baselines.
                             Only when named: ipc-shm-poll, ipc-shm with receiver-poll-time = 1ms
          --ring-sizes LIST  raw part: run shm once per ring size (e.g. 64KiB,128KiB,256KiB,512KiB,1MiB) and
                             compare them; default: the transport's default ring size only
          --processes LIST   scale part: process counts (default 2,4,8,16; quick 2,4)
          --setup-samples N  setup part: samples per mode and level on fresh peers (default 30, quick 5);
                             modes ipc-shm, ipc-fifo, hybrid-local and tcp, alternated within each sample
          --out DIR          results directory (default bench/results/<timestamp> in the repository)
        """;

    public static Options Parse(string[] args)
    {
        bool quick = args.Contains("--quick");
        var options = new Options
        {
            Quick = quick,
            Repetitions = quick ? 1 : 3,
            RoundTripsPerClient = quick ? 2_000 : 20_000,
            LatencySamples = quick ? 1_000 : 10_000,
            LatencyWarmup = 500,
            IdleSeconds = quick ? 5 : 10,
            Modes = quick ? ActorModes.QuickDefault : ActorModes.All,
            ScaleProcesses = quick ? [2, 4] : [2, 4, 8, 16],
            SetupSamples = quick ? 5 : 30,
        };
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            options = arg switch
            {
                "--quick" => options,
                "--only" => options with { Only = ParseParts(Value()) },
                "--reps" => options with { Repetitions = PositiveInt(arg, Value()) },
                "--round-trips" => options with { RoundTripsPerClient = PositiveInt(arg, Value()) },
                "--clients" => options with { ClientCounts = Value().Split(',').Select(v => PositiveInt(arg, v)).ToArray() },
                "--latency-samples" => options with { LatencySamples = PositiveInt(arg, Value()) },
                "--idle-seconds" => options with { IdleSeconds = PositiveInt(arg, Value()) },
                "--modes" => options with { Modes = ParseModes(Value()) },
                "--ring-sizes" => options with { RingSizes = Value().Split(',').Select(v => RingSize(arg, v.Trim())).ToArray() },
                "--processes" => options with { ScaleProcesses = Value().Split(',').Select(v => Processes(arg, v.Trim())).Distinct().Order().ToArray() },
                "--setup-samples" => options with { SetupSamples = PositiveInt(arg, Value()) },
                "--out" => options with { OutputDirectory = Value() },
                _ => throw new ArgumentException($"Unknown argument '{arg}'."),
            };
        }
        return options;
    }

    private static string[] ParseParts(string value)
    {
        var parts = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.ToLowerInvariant()).ToArray();
        var valid = Parts.All.Concat(Parts.Optional).ToArray();
        foreach (var part in parts)
            if (!valid.Contains(part))
                throw new ArgumentException($"--only: unknown part '{part}' (valid: {string.Join(", ", valid)})");
        return valid.Where(parts.Contains).ToArray();
    }

    private static string[] ParseModes(string value)
    {
        var modes = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var mode in modes)
            if (!ActorModes.Known.Contains(mode))
                throw new ArgumentException($"--modes: unknown mode '{mode}' (valid: {string.Join(", ", ActorModes.Known)})");
        return ActorModes.Known.Where(modes.Contains).ToArray();
    }

    /// <summary>"64KiB", "1MiB" or a number of bytes: a power of two the transport accepts as ring-size.</summary>
    private static int RingSize(string key, string value)
    {
        var (digits, unit) = value.EndsWith("KiB", StringComparison.Ordinal) ? (value[..^3], 1 << 10)
            : value.EndsWith("MiB", StringComparison.Ordinal) ? (value[..^3], 1 << 20)
            : (value, 1);
        long bytes = (long)PositiveInt(key, digits) * unit;
        return bytes is >= 4096 and <= 1 << 30 && (bytes & (bytes - 1)) == 0
            ? (int)bytes
            : throw new ArgumentException($"{key}: '{value}' is not a power of two between 4KiB and 1GiB");
    }

    private static int Processes(string key, string value) =>
        PositiveInt(key, value) is >= 2 and var p ? p : throw new ArgumentException($"{key}: a process count is at least 2, not '{value}'");

    private static int PositiveInt(string key, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw new ArgumentException($"{key} must be a positive integer, not '{value}'");
}

/// <summary>Key/value arguments of a child process: <c>--role NAME --key value ...</c>.</summary>
internal sealed class ChildArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public ChildArgs(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected child argument '{args[i]}'");
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Role => Get("role");

    public string Get(string key) =>
        _values.TryGetValue(key, out var v) ? v : throw new ArgumentException($"Child argument --{key} is missing");

    public string Get(string key, string fallback) => _values.GetValueOrDefault(key, fallback);

    public int GetInt(string key) => int.Parse(Get(key), CultureInfo.InvariantCulture);

    public int GetInt(string key, int fallback) =>
        _values.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static bool IsChild(string[] args) => args.Length >= 2 && args[0] == "--role";
}
